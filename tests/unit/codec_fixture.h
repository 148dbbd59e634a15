/* codec_fixture.h — what the codec tests (test_codec_*.c) share: the codec of suite
 * `codec` (opened before, closed after each test) and its errbuf, records built for the
 * tests, comparisons that check every field, ROUND_TRIP, a builder of hand-made frames
 * (wire_t) and a seeded xorshift generator. Test code: helpers assert with Criterion. */
#ifndef CODEC_FIXTURE_H
#define CODEC_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "codec.h"

#define T0_MS INT64_C(1793523600000) /* 2026-11-01T09:00:00.000Z */

extern codec_t *codec;
extern char errbuf[512];

#define expect_err(got, want)                                                               \
    cr_assert(eq(int, (got), (want)), "got %s, want %s (errbuf: %s)", sy_err_name(got),     \
              sy_err_name(want), errbuf)
#define expect_msg(needle)                                                                  \
    cr_assert(strstr(errbuf, (needle)) != NULL, "message \"%s\" lacks \"%s\"", errbuf,     \
              (needle))

/* A copy of n bytes in a buffer of exactly n bytes, so ASan sees any read past it. The
 * caller frees it. */
uint8_t *exact_copy(const void *p, size_t n);

/* --- records built for the tests: every optional field set (full), or none (min) --- */

sy_event_t event_full(void);
sy_event_t event_min(void);
void init_profile_full(sy_profile_update_t *p);
sy_action_t action_full(void);
sy_action_t action_min(void);
sy_decision_t decision_full(void);
sy_decision_t decision_min(void);
sy_contact_update_t contact_update_full(void);
sy_contact_update_t contact_update_min(void);
sy_dead_letter_t dead_letter_full(void);
sy_dead_letter_t dead_letter_min(void);

/* --- comparisons: got (g) against want (w), every field (cr_expect) --- */

/* Two optional strings: both NULL, or equal. field names them in the message. */
void expect_opt_str(const char *got, const char *want, const char *field);
void expect_kvs(const sy_kv_t *got, size_t got_n, const sy_kv_t *want, size_t want_n);
void expect_event_eq(const sy_event_t *g, const sy_event_t *w);
void expect_profile_eq(const sy_profile_update_t *g, const sy_profile_update_t *w);
void expect_action_eq(const sy_action_t *g, const sy_action_t *w);
void expect_decision_eq(const sy_decision_t *g, const sy_decision_t *w);
void expect_contact_update_eq(const sy_contact_update_t *g, const sy_contact_update_t *w);
void expect_dead_letter_eq(const sy_dead_letter_t *g, const sy_dead_letter_t *w);

/* Encode rec with enc, copy the frame exactly, decode it with dec into out. */
#define ROUND_TRIP(enc, dec, rec, out)                                                      \
    do {                                                                                    \
        const void *frame_;                                                                 \
        size_t len_;                                                                        \
        sy_err_t err_ = enc(codec, (rec), &frame_, &len_, errbuf, sizeof errbuf);           \
        expect_err(err_, SY_OK);                                                            \
        uint8_t *copy_ = exact_copy(frame_, len_);                                          \
        err_ = dec(codec, copy_, len_, (out), errbuf, sizeof errbuf);                       \
        free(copy_);                                                                        \
        expect_err(err_, SY_OK);                                                            \
    } while (0)

/* --- hand-made frames --- */

typedef struct wire {
    uint8_t b[8192];
    size_t n;
} wire_t;

/* Appends n bytes, one byte, or an Avro long (zigzag varint) or string. */
void w_raw(wire_t *w, const void *p, size_t n);
void w_byte(wire_t *w, uint8_t b);
void w_long(wire_t *w, int64_t v);
void w_str(wire_t *w, const char *s);
/* An Avro long (or a string's length) pad bytes longer than its shortest form: the longer
 * forms end in continuation bytes of zero bits, which the guard (and Avro) accept as the
 * same value. */
void w_long_pad(wire_t *w, int64_t v, int pad);
void w_str_pad(wire_t *w, const char *s, int pad);
/* Starts the frame again with the magic byte and schema id. */
void w_header(wire_t *w, uint32_t id);
/* EngagementEvent up to and including type: e1, c1, time 0, channel, type (frame byte 13). */
void w_event_head(wire_t *w, int64_t channel, int64_t type);
/* The eight optional fields after type, all null. */
void w_event_nulls(wire_t *w);
/* codec_decode_event of an exact copy of w's bytes. */
sy_err_t decode_event_wire(const wire_t *w, sy_event_t *out);

/* A decoder's result got on w (its message in errbuf) is err, as the guard's is
 * (codec_to_json, which guards the whole body before it reads), with the guard's very
 * message, which holds want. */
void expect_refused_as_guard(const wire_t *w, sy_err_t got, sy_err_t err, const char *want);

/* The next value of the xorshift64 sequence in *s (never 0 when *s is not). */
uint64_t rng_next(uint64_t *s);

#endif
