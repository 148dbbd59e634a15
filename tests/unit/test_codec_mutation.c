/* test_codec_mutation.c — 200,000 seeded mutations of valid frames of every kind: each
 * decode ends in a record or a decode error, never a crash (run under ASan too). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_fixture.h"

/* --- mutation run ----------------------------------------------------------------------- */

#define MUTATION_RUNS 200000
#define MUTATION_SEED UINT64_C(0x5157c4ba4dc0dec5)

/* One valid frame of each kind, copied out of the codec's buffer. */
typedef struct sample {
    uint8_t *frame;
    size_t len;
} sample_t;

static sample_t sample_of(const void *frame, size_t len) {
    sample_t s = {exact_copy(frame, len), len};
    return s;
}

static void samples_make(sample_t samples[6]) {
    static sy_profile_update_t p;
    sy_event_t e = event_full();
    sy_action_t a = action_full();
    sy_decision_t d = decision_full();
    sy_contact_update_t u = contact_update_full();
    sy_dead_letter_t dl = dead_letter_full();
    const void *f;
    size_t n;
    init_profile_full(&p);
    expect_err(codec_encode_event(codec, &e, &f, &n, errbuf, sizeof errbuf), SY_OK);
    samples[0] = sample_of(f, n);
    expect_err(codec_encode_profile_update(codec, &p, &f, &n, errbuf, sizeof errbuf), SY_OK);
    samples[1] = sample_of(f, n);
    expect_err(codec_encode_action(codec, &a, &f, &n, errbuf, sizeof errbuf), SY_OK);
    samples[2] = sample_of(f, n);
    expect_err(codec_encode_decision(codec, &d, &f, &n, errbuf, sizeof errbuf), SY_OK);
    samples[3] = sample_of(f, n);
    expect_err(codec_encode_contact_update(codec, &u, &f, &n, errbuf, sizeof errbuf), SY_OK);
    samples[4] = sample_of(f, n);
    expect_err(codec_encode_dead_letter(codec, &dl, &f, &n, errbuf, sizeof errbuf), SY_OK);
    samples[5] = sample_of(f, n);
}

/* Apply one random edit to buf[0..*len) (capacity cap). */
static void mutate(uint8_t *buf, size_t *len, size_t cap, uint64_t *rng) {
    static const uint8_t interesting[] = {0x00, 0x01, 0x02, 0x7f, 0x80, 0x81, 0xfe, 0xff};
    uint64_t r = rng_next(rng);
    size_t at = *len ? (size_t)(r >> 16) % *len : 0;
    switch (r % 6) {
    case 0: if (*len) buf[at] ^= (uint8_t)(1u << (r >> 8 & 7)); break;
    case 1: if (*len) buf[at] = (uint8_t)(r >> 40); break;
    case 2: if (*len) buf[at] = interesting[(r >> 8) % sizeof interesting]; break;
    case 3: *len = *len ? (size_t)(r >> 24) % *len : 0; break; /* truncate */
    case 4: /* insert a byte */
        if (*len < cap) {
            memmove(buf + at + 1, buf + at, *len - at);
            buf[at] = (uint8_t)(r >> 32);
            (*len)++;
        }
        break;
    default: /* delete a byte */
        if (*len) {
            memmove(buf + at, buf + at + 1, *len - at - 1);
            (*len)--;
        }
        break;
    }
}

static sy_err_t decode_kind(int kind, const uint8_t *buf, size_t len) {
    static sy_profile_update_t p;
    sy_event_t e;
    sy_action_t a;
    sy_decision_t d;
    sy_contact_update_t u;
    sy_dead_letter_t dl;
    switch (kind) {
    case 0: return codec_decode_event(codec, buf, len, &e, errbuf, sizeof errbuf);
    case 1: return codec_decode_profile_update(codec, buf, len, &p, errbuf, sizeof errbuf);
    case 2: return codec_decode_action(codec, buf, len, &a, errbuf, sizeof errbuf);
    case 3: return codec_decode_decision(codec, buf, len, &d, errbuf, sizeof errbuf);
    case 4: return codec_decode_contact_update(codec, buf, len, &u, errbuf, sizeof errbuf);
    default: return codec_decode_dead_letter(codec, buf, len, &dl, errbuf, sizeof errbuf);
    }
}

static bool err_is_decode_result(sy_err_t err) {
    return err == SY_OK || sy_err_is_input_fault(err) || err == SY_ERR_LIMIT;
}

Test(codec, decode_survives_200000_seeded_mutations_of_valid_frames, .timeout = 600) {
    sample_t samples[6];
    uint8_t work[4096];
    uint64_t rng = MUTATION_SEED;
    size_t counts[SY_ERR__COUNT] = {0};
    samples_make(samples);
    for (int i = 0; i < MUTATION_RUNS; i++) {
        int kind = i % 6;
        size_t len = samples[kind].len;
        int edits = 1 + (int)(rng_next(&rng) % 4);
        cr_assert(len <= sizeof work);
        memcpy(work, samples[kind].frame, len);
        for (int k = 0; k < edits; k++)
            mutate(work, &len, sizeof work, &rng);
        uint8_t *copy = exact_copy(work, len);
        sy_err_t err = decode_kind(kind, copy, len);
        cr_assert(err_is_decode_result(err), "run %d: unexpected %s", i, sy_err_name(err));
        counts[err]++;
        if (i % 8 == 0) {
            char *json = NULL;
            sy_err_t jerr = codec_to_json(codec, copy, len, &json, errbuf, sizeof errbuf);
            cr_assert(err_is_decode_result(jerr), "run %d: to_json %s", i,
                      sy_err_name(jerr));
            cr_assert(eq(int, jerr == SY_OK, json != NULL), "run %d: json only on success", i);
            free(json);
        }
        free(copy);
    }
    for (int k = 0; k < 6; k++)
        free(samples[k].frame);
    cr_expect_gt(counts[SY_OK], 0, "no mutation decoded");
    cr_expect_gt(counts[SY_ERR_MALFORMED], 0, "no mutation was malformed");
    cr_expect_gt(counts[SY_ERR_TRUNCATED], 0, "no mutation was truncated");
}
