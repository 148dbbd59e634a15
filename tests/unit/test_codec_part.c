/* test_codec_part.c — prepared parts (codec_part.h): a decision or an action that carries
 * its journey's and nodes' parts encodes, as an Avro frame and as a JSON line, to exactly
 * the bytes of the same record without them, for ids that JSON escapes, UTF-8 and the
 * longest; and a string the rules refuse makes no part. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec_fixture.h"
#include "codec_part.h"

/* Ids the rules pass whose text is awkward: JSON escapes (quote, backslash, control
 * bytes), '/', 0x7f and UTF-8 as they are; one byte; SY_ID_BYTES_MAX bytes. */
static char id_longest[SY_ID_BYTES_MAX + 1];
static const char *part_ids[] = {"n", "welcome", "a\"b\\c\nd\te\x01", "caf\xc3\xa9/\x7f",
                                 "node-with-a-longer-name.step_2", id_longest};
#define PART_IDS (sizeof part_ids / sizeof *part_ids)

/* Journey versions of every varint length and sign. */
static const int32_t part_versions[] = {1, -3, 64, 300000, INT32_MAX, INT32_MIN};
#define PART_VERSIONS (sizeof part_versions / sizeof *part_versions)

static void longest_id_init(void) {
    memset(id_longest, 'x', SY_ID_BYTES_MAX);
    id_longest[SY_ID_BYTES_MAX] = '\0';
}

static sy_part_t *part_of(const char *s) {
    sy_part_t *p = NULL;
    expect_err(codec_part_make(&p, s), SY_OK);
    cr_assert(p != NULL, "no part for \"%s\"", s);
    return p;
}

static sy_part_t *journey_part_of(const char *id, int32_t version) {
    sy_part_t *p = NULL;
    expect_err(codec_part_make_journey(&p, id, version), SY_OK);
    cr_assert(p != NULL, "no journey part for \"%s\"", id);
    return p;
}

/* The frame and the line of rec (by encode and write), copied: the codec reuses both. */
#define OUTPUTS(encode, write, rec, frame_out, frame_len_out, line_out)                     \
    do {                                                                                    \
        const void *f_;                                                                     \
        const char *j_;                                                                     \
        size_t jl_;                                                                         \
        expect_err(encode(codec, (rec), &f_, (frame_len_out), errbuf, sizeof errbuf),      \
                   SY_OK);                                                                  \
        (frame_out) = exact_copy(f_, *(frame_len_out));                                     \
        expect_err(write(codec, (rec), &j_, &jl_, errbuf, sizeof errbuf), SY_OK);           \
        (line_out) = strdup(j_);                                                            \
    } while (0)

/* rec encoded with its parts (with) and without (without): the same bytes, both ways. */
#define EXPECT_SAME_OUTPUTS(encode, write, with, without, what)                             \
    do {                                                                                    \
        uint8_t *fw_, *fo_;                                                                 \
        char *lw_, *lo_;                                                                    \
        size_t nw_, no_;                                                                    \
        OUTPUTS(encode, write, (with), fw_, &nw_, lw_);                                     \
        OUTPUTS(encode, write, (without), fo_, &no_, lo_);                                  \
        cr_expect(nw_ == no_ && memcmp(fw_, fo_, no_) == 0,                                 \
                  "%s: frames of %zu and %zu bytes differ", (what), nw_, no_);              \
        cr_expect_str_eq(lw_, lo_, "%s: lines differ", (what));                             \
        free(fw_);                                                                          \
        free(fo_);                                                                          \
        free(lw_);                                                                          \
        free(lo_);                                                                          \
    } while (0)

/* A decision from node from (or NULL) to node to in journey id, version v; with parts when
 * the part pointers are given. */
static sy_decision_t part_decision(const char *id, int32_t v, const char *from,
                                   const char *to) {
    return (sy_decision_t){.contact_id = "c-1", .journey_id = id, .journey_version = v,
                           .from_node = from, .to_node = to, .path = "then",
                           .cause = SY_CAUSE_EVENT, .cause_event_id = "e-7",
                           .decided_at_ms = T0_MS};
}

static sy_action_t part_action(const char *id, int32_t v, const char *node,
                               const char *template_id) {
    sy_action_t a = {.action_id = "a-1", .contact_id = "c-1", .channel = SY_CHANNEL_SMS,
                     .template_id = template_id, .not_before_ms = T0_MS, .journey_id = id,
                     .journey_version = v, .node_id = node, .occurrence = 2};
    a.params_count = 1;
    a.params[0] = (sy_kv_t){.key = "name", .value = "Ada"};
    return a;
}

/* A decision from from to to, then one on entry (no from node, no from part), and an
 * action at node with template_id: with the parts given and without. */
static void expect_parts_change_nothing(const char *id, int32_t v, const sy_part_t *journey,
                                        const char *from, const char *to,
                                        const char *template_id) {
    sy_part_t *from_part = part_of(from), *to_part = part_of(to);
    sy_part_t *template_part = part_of(template_id);
    sy_decision_t without = part_decision(id, v, from, to), with = without;
    with.journey_part = journey;
    with.from_part = from_part;
    with.to_part = to_part;
    EXPECT_SAME_OUTPUTS(codec_encode_decision, codec_json_decision, &with, &without, to);
    without.from_node = with.from_node = NULL;
    with.from_part = NULL;
    EXPECT_SAME_OUTPUTS(codec_encode_decision, codec_json_decision, &with, &without, to);
    sy_action_t a_without = part_action(id, v, to, template_id), a_with = a_without;
    a_with.journey_part = journey;
    a_with.node_part = to_part;
    a_with.template_part = template_part;
    EXPECT_SAME_OUTPUTS(codec_encode_action, codec_json_action, &a_with, &a_without, to);
    codec_part_free(from_part);
    codec_part_free(to_part);
    codec_part_free(template_part);
}

Test(codec, parts_encode_decisions_and_actions_to_the_bytes_of_the_same_records_without_them) {
    longest_id_init();
    for (size_t i = 0; i < PART_IDS; i++) {
        const char *id = part_ids[i];
        for (size_t k = 0; k < PART_VERSIONS; k++) {
            sy_part_t *journey = journey_part_of(id, part_versions[k]);
            for (size_t n = 0; n < PART_IDS; n++)
                expect_parts_change_nothing(id, part_versions[k], journey, part_ids[n],
                                            part_ids[(n + 1) % PART_IDS],
                                            part_ids[(n + 2) % PART_IDS]);
            codec_part_free(journey);
        }
    }
}

Test(codec, parts_are_not_made_of_strings_the_id_rules_refuse) {
    static char too_long[SY_ID_BYTES_MAX + 2];
    memset(too_long, 'x', SY_ID_BYTES_MAX + 1);
    const char *refused[] = {NULL, "", too_long, "bad \xc3(", "half \xe2\x82"};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        sy_part_t *p = (sy_part_t *)&p, *j = (sy_part_t *)&j; /* not NULL: must be set */
        expect_err(codec_part_make(&p, refused[i]), SY_OK);
        expect_err(codec_part_make_journey(&j, refused[i], 1), SY_OK);
        cr_expect(p == NULL && j == NULL, "a part of refused string %zu", i);
    }
}
