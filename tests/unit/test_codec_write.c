/* test_codec_write.c — the writers' two ways to the same bytes: a record's fields put down
 * as one run under one reservation (codec_wr_run_start), and field by field near
 * SY_FRAME_BYTES_MAX, where a run could fail part way; and the run's string copy. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <avro.h>

#include "codec_fixture.h"
#include "codec_wire.h"

/* A string of n plain bytes, the last of them 'z', owned by the caller. */
static char *long_string(size_t n) {
    char *s = malloc(n + 1);
    cr_assert_not_null(s);
    memset(s, 'b', n);
    if (n > 0)
        s[n - 1] = 'z';
    s[n] = '\0';
    return s;
}

/* The frame small (whose string mark, of its length below 64, takes one length byte) with
 * mark replaced by big: the bytes a writer must make for the record with big in it. */
static uint8_t *splice(const uint8_t *small, size_t small_len, const char *mark,
                       const char *big, size_t *out_len) {
    size_t mark_len = strlen(mark), big_len = strlen(big), at = 0;
    uint8_t prefix[CODEC_WIRE_VARINT_BYTES_MAX];
    while (at + mark_len <= small_len && memcmp(small + at, mark, mark_len) != 0)
        at++;
    cr_assert(at + mark_len <= small_len && at > 0, "the mark %s is in the frame", mark);
    size_t n = codec_wire_put_long(prefix, (int64_t)big_len);
    *out_len = small_len - 1 - mark_len + n + big_len;
    uint8_t *want = malloc(*out_len);
    cr_assert_not_null(want);
    memcpy(want, small, at - 1);
    memcpy(want + at - 1, prefix, n);
    memcpy(want + at - 1 + n, big, big_len);
    memcpy(want + at - 1 + n + big_len, small + at + mark_len, small_len - at - mark_len);
    return want;
}

typedef sy_err_t (*encode_fn)(const void *rec, const char *s, const void **frame,
                              size_t *len);

static sy_err_t encode_decision_path(const void *rec, const char *s, const void **frame,
                                     size_t *len) {
    sy_decision_t d = *(const sy_decision_t *)rec;
    d.path = s;
    return codec_encode_decision(codec, &d, frame, len, errbuf, sizeof errbuf);
}

static sy_err_t encode_event_text(const void *rec, const char *s, const void **frame,
                                  size_t *len) {
    sy_event_t e = *(const sy_event_t *)rec;
    e.text = s;
    return codec_encode_event(codec, &e, frame, len, errbuf, sizeof errbuf);
}

static sy_err_t encode_action_template(const void *rec, const char *s, const void **frame,
                                       size_t *len) {
    sy_action_t a = *(const sy_action_t *)rec;
    a.template_id = s;
    return codec_encode_action(codec, &a, frame, len, errbuf, sizeof errbuf);
}

/* The action's last param value is s (the params and call-to-action fields' run). */
static sy_err_t encode_action_param(const void *rec, const char *s, const void **frame,
                                    size_t *len) {
    sy_action_t a = *(const sy_action_t *)rec;
    cr_assert_gt(a.params_count, 0);
    a.params[a.params_count - 1].value = s;
    return codec_encode_action(codec, &a, frame, len, errbuf, sizeof errbuf);
}

/* For a string of each length from some way below the frame limit up to past it: the
 * frame is the small record's with the string spliced in while it fits (whichever way the
 * writer took), and SY_ERR_LIMIT once it does not. */
static void expect_same_bytes_up_to_the_limit(encode_fn encode, const void *rec) {
    const void *frame;
    size_t small_len, len;
    expect_err(encode(rec, "MARK-MARK", &frame, &small_len), SY_OK);
    uint8_t *small = exact_copy(frame, small_len);
    size_t fit = SY_FRAME_BYTES_MAX - (small_len - 10 + 3); /* a 3-byte length: 2^20 */
    char *big = long_string(fit + 8);
    for (size_t n = fit - 400; n <= fit + 8; n += n + 16 < fit ? 7 : 1) {
        char kept = big[n];
        big[n] = '\0';
        sy_err_t err = encode(rec, big, &frame, &len);
        if (n <= fit) {
            size_t want_len;
            uint8_t *want = splice(small, small_len, "MARK-MARK", big, &want_len);
            expect_err(err, SY_OK);
            cr_assert(eq(sz, len, want_len), "string of %zu bytes", n);
            cr_assert(memcmp(frame, want, len) == 0, "string of %zu bytes: the bytes", n);
            free(want);
        } else {
            expect_err(err, SY_ERR_LIMIT);
        }
        big[n] = kept;
    }
    free(big);
    free(small);
}

Test(codec, decisions_write_the_same_bytes_up_to_the_frame_limit) {
    sy_decision_t d = decision_full();
    expect_same_bytes_up_to_the_limit(encode_decision_path, &d);
}

Test(codec, events_write_the_same_bytes_up_to_the_frame_limit) {
    sy_event_t e = event_full();
    expect_same_bytes_up_to_the_limit(encode_event_text, &e);
}

Test(codec, events_without_props_write_the_same_bytes_up_to_the_frame_limit) {
    sy_event_t e = event_min();
    expect_same_bytes_up_to_the_limit(encode_event_text, &e);
}

Test(codec, actions_write_the_same_bytes_up_to_the_frame_limit) {
    sy_action_t a = action_full();
    expect_same_bytes_up_to_the_limit(encode_action_template, &a);
}

/* Without a tracking number the params and the call-to-action fields (four null branches)
 * are one run after the head's: the same bytes as field by field, up to the limit too,
 * whichever string grows. */
Test(codec, actions_without_a_tracking_number_write_the_same_bytes_up_to_the_frame_limit) {
    sy_action_t a = action_full();
    a.tracking_number = a.tracking_display = a.tracking_tel = a.tracking_cta = NULL;
    a.tracking_fallback = false;
    expect_same_bytes_up_to_the_limit(encode_action_template, &a);
    expect_same_bytes_up_to_the_limit(encode_action_param, &a);
}

/* The params' run refuses a value that is not UTF-8, as write_kvs does. */
Test(codec, an_actions_params_run_refuses_a_value_that_is_not_utf8) {
    sy_action_t a = action_full();
    const void *frame;
    size_t len;
    a.tracking_number = a.tracking_display = a.tracking_tel = a.tracking_cta = NULL;
    a.params[0].value = "caf\xc3\xa9";
    expect_err(codec_encode_action(codec, &a, &frame, &len, errbuf, sizeof errbuf), SY_OK);
    cr_assert(memmem(frame, len, "\x0a" "caf\xc3\xa9", 6) != NULL, "the UTF-8 value");
    a.params[0].value = "caf\xc3";
    expect_err(codec_encode_action(codec, &a, &frame, &len, errbuf, sizeof errbuf),
               SY_ERR_INVALID_RECORD);
    expect_msg("ActionCommand: a string is not UTF-8");
}

/* A string that is not UTF-8 fails the record wherever it is, in a run or not. */
Test(codec, a_run_refuses_a_string_that_is_not_utf8_and_keeps_one_that_is) {
    sy_decision_t d = decision_full();
    sy_event_t e = event_full();
    const void *frame;
    size_t len;
    d.to_node = "caf\xc3\xa9";
    expect_err(codec_encode_decision(codec, &d, &frame, &len, errbuf, sizeof errbuf), SY_OK);
    cr_assert(memmem(frame, len, "\x0a" "caf\xc3\xa9", 6) != NULL, "the UTF-8 to_node");
    d.path = "caf\xc3";
    expect_err(codec_encode_decision(codec, &d, &frame, &len, errbuf, sizeof errbuf),
               SY_ERR_INVALID_RECORD);
    expect_msg("RoutingDecision: a string is not UTF-8");
    e.link = "\xff";
    expect_err(codec_encode_event(codec, &e, &frame, &len, errbuf, sizeof errbuf),
               SY_ERR_INVALID_RECORD);
    expect_msg("EngagementEvent: a string is not UTF-8");
}

/* codec_wire_copy_7bit against the definition: for every length up to 72 (each of its ways:
 * bytes, 4 and 4, 8 and 8, two 16-byte loads, the 16-byte loop once and more) it copies
 * exactly the n bytes (the guard bytes around the copy stay), and says whether no byte has
 * its high bit set, wherever the one that has is (the overlapping last load must see every
 * place). */
Test(codec, copy_7bit_copies_n_bytes_and_finds_any_byte_with_its_high_bit) {
    static const uint8_t highs[] = {0x80, 0xc3, 0xff};
    char s[80];
    uint8_t d[80 + 2];
    for (size_t n = 0; n <= 72; n++) {
        for (size_t i = 0; i < n; i++)
            s[i] = (char)(0x01 + (i * 37) % 0x7f); /* every plain byte, 0x01 to 0x7f */
        for (size_t at = 0; at <= n; at++)
            for (size_t k = 0; k < sizeof highs; k++) {
                char kept = at < n ? s[at] : 0;
                if (at < n)
                    s[at] = (char)highs[k];
                memset(d, 0xaa, sizeof d);
                bool plain = codec_wire_copy_7bit(d + 1, s, n);
                cr_assert_eq(plain, at == n, "length %zu, 0x%02x at %zu: %d", n, highs[k], at,
                             plain);
                cr_assert_eq(memcmp(d + 1, s, n), 0, "length %zu: the copy", n);
                cr_assert_eq(d[0], 0xaa, "length %zu: a byte before the copy", n);
                cr_assert_eq(d[n + 1], 0xaa, "length %zu: a byte after the copy", n);
                if (at < n)
                    s[at] = kept;
            }
    }
}

/* The bytes avro-c's generic writer makes for the long v, in want; their count. */
static size_t avro_c_long(int64_t v, uint8_t *want, size_t size) {
    avro_value_t value;
    avro_writer_t w = avro_writer_memory((char *)want, (int64_t)size);
    cr_assert(eq(int, avro_generic_long_new(&value, v), 0), "%s", avro_strerror());
    cr_assert(eq(int, avro_value_write(w, &value), 0), "%s", avro_strerror());
    size_t n = (size_t)avro_writer_tell(w);
    avro_writer_free(w);
    avro_value_decref(&value);
    return n;
}

/* codec_wire_put_long (one byte, the spread word of 2 to 8 bytes, the loop of 9 and 10)
 * against avro-c, on each side of every 7-bit boundary, positive and negative: the same
 * bytes, and nothing written past the room of CODEC_WIRE_VARINT_BYTES_MAX. */
Test(codec, varints_of_every_length_are_the_bytes_avro_c_writes) {
    uint8_t want[CODEC_WIRE_VARINT_BYTES_MAX], got[CODEC_WIRE_VARINT_BYTES_MAX + 1];
    for (int bit = 0; bit < 64; bit++)
        for (int64_t delta = -1; delta <= 1; delta++)
            for (int sign = 0; sign < 2; sign++) {
                uint64_t u = (UINT64_C(1) << bit) + (uint64_t)delta;
                int64_t v = sign ? (int64_t)(UINT64_C(0) - u) : (int64_t)u;
                size_t n_want = avro_c_long(v, want, sizeof want);
                memset(got, 0xaa, sizeof got);
                size_t n = codec_wire_put_long(got, v);
                cr_assert(eq(sz, n, n_want), "%lld: %zu bytes, avro-c %zu", (long long)v, n,
                          n_want);
                cr_assert(memcmp(got, want, n) == 0, "%lld: other bytes", (long long)v);
                cr_assert(eq(u8, got[CODEC_WIRE_VARINT_BYTES_MAX], 0xaa), "%lld: past the room",
                          (long long)v);
            }
}

/* The kinds of id rules_id_case makes. */
#define RULES_ID_CASES 5

/* An id of each kind the rules judge: missing, empty, the longest allowed, one byte over,
 * and a short one. */
static const char *rules_id_case(int k) {
    static char longest[SY_ID_BYTES_MAX + 1], over[SY_ID_BYTES_MAX + 2];
    memset(longest, 'x', SY_ID_BYTES_MAX);
    memset(over, 'y', SY_ID_BYTES_MAX + 1);
    const char *cases[] = {NULL, "", longest, over, "n"};
    return cases[k];
}

/* When given: the lengths of a record's contact and journey ids, as the engine gives them
 * (a NULL id's stays 0). */
static void give_id_lens(bool given, const char *contact_id, uint16_t *contact_id_len,
                         const char *journey_id, uint16_t *journey_id_len) {
    if (given && contact_id)
        *contact_id_len = (uint16_t)strlen(contact_id);
    if (given && journey_id)
        *journey_id_len = (uint16_t)strlen(journey_id);
}

/* The verdict, into errbuf, of the rules (measuring its ids) or of the writer on rec, a
 * decision or an action. */
static sy_err_t verdict_of(const void *rec, bool decision, bool write) {
    size_t ids_len[CODEC_DECISION_IDS + CODEC_ACTION_IDS], len;
    const void *frame;
    if (decision)
        return write ? codec_encode_decision(codec, rec, &frame, &len, errbuf, sizeof errbuf)
                     : codec_rules_decision(rec, ids_len, false, errbuf, sizeof errbuf);
    return write ? codec_encode_action(codec, rec, &frame, &len, errbuf, sizeof errbuf)
                 : codec_rules_action(rec, ids_len, false, errbuf, sizeof errbuf);
}

/* The writer's verdict on rec, which its usual-record test may give: the rules' own, with
 * the same message. */
static void expect_verdict_of_the_rules(const void *rec, bool decision) {
    char rules_msg[sizeof errbuf];
    errbuf[0] = '\0';
    sy_err_t want = verdict_of(rec, decision, false);
    snprintf(rules_msg, sizeof rules_msg, "%s", errbuf);
    errbuf[0] = '\0';
    sy_err_t got = verdict_of(rec, decision, true);
    cr_assert(eq(int, got, want), "writer %s, rules %s (%s)", sy_err_name(got),
              sy_err_name(want), rules_msg);
    if (want != SY_OK)
        cr_assert_str_eq(errbuf, rules_msg);
}

/* Every id of a decision in each of rules_id_case's kinds, its contact and journey ids'
 * lengths given by the record or not, and causes in and out of range: the writer refuses
 * exactly what the rules refuse, with their message. */
Test(codec, the_decision_writer_refuses_what_the_rules_refuse_with_their_message) {
    for (int c = 0; c < 5 * RULES_ID_CASES * 2; c++) { /* field, id case, lengths given */
        sy_decision_t d = decision_full();
        const char **ids[] = {&d.contact_id, &d.journey_id, &d.from_node, &d.to_node,
                              &d.cause_event_id};
        *ids[c / (2 * RULES_ID_CASES)] = rules_id_case(c / 2 % RULES_ID_CASES);
        give_id_lens(c % 2, d.contact_id, &d.contact_id_len, d.journey_id, &d.journey_id_len);
        expect_verdict_of_the_rules(&d, true);
    }
    sy_decision_t d = decision_min();
    for (int cause = -1; cause <= SY_CAUSE__COUNT; cause++) /* each known, one on each side */
        expect_verdict_of_the_rules((d.cause = (sy_cause_t)cause, &d), true);
}

/* As for decisions: every id of an action in each kind, its contact and journey ids' lengths
 * given or not; channels in and out of range; a missing template; params over their limit or
 * with a NULL key or value. */
Test(codec, the_action_writer_refuses_what_the_rules_refuse_with_their_message) {
    for (int c = 0; c < 4 * RULES_ID_CASES * 2; c++) { /* field, id case, lengths given */
        sy_action_t a = action_full();
        const char **ids[] = {&a.action_id, &a.contact_id, &a.journey_id, &a.node_id};
        *ids[c / (2 * RULES_ID_CASES)] = rules_id_case(c / 2 % RULES_ID_CASES);
        give_id_lens(c % 2, a.contact_id, &a.contact_id_len, a.journey_id, &a.journey_id_len);
        expect_verdict_of_the_rules(&a, false);
    }
    for (int channel = -1; channel <= SY_CHANNEL__COUNT; channel++) {
        sy_action_t a = action_min();
        a.channel = (sy_channel_t)channel;
        expect_verdict_of_the_rules(&a, false);
    }
    sy_action_t a = action_full();
    a.template_id = NULL;
    expect_verdict_of_the_rules(&a, false);
    a = action_full();
    a.params_count = SY_ACTION_PARAMS_MAX + 1;
    expect_verdict_of_the_rules(&a, false);
    for (int i = 0; i < 4; i++) {
        a = action_full();
        const char **kv[] = {&a.params[0].key, &a.params[0].value, &a.params[1].key,
                             &a.params[1].value};
        *kv[i] = NULL;
        expect_verdict_of_the_rules(&a, false);
    }
}
