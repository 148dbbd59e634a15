/* test_codec_fused_profile.c — the usual ProfileUpdate read without the guard
 * (schemas/codec_decode_profile.c): every record the encoder writes and every padded
 * encoding (read the checked way) decode alike; hand-made bodies the guard refuses are
 * refused with its message; and on 100,000 seeded mutations of a valid frame the decoder
 * gives the result and message of codec_to_json, which guards the whole body first and
 * reads it after, with the same values when both accept. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_fixture.h"
#include "codec_random.h"

/* codec_decode_profile_update of an exact copy of w's bytes. */
static sy_err_t decode_wire(const wire_t *w, sy_profile_update_t *p) {
    uint8_t *copy = exact_copy(w->b, w->n);
    sy_err_t err = codec_decode_profile_update(codec, copy, w->n, p, errbuf, sizeof errbuf);
    free(copy);
    return err;
}

/* The frame of p, every count and union index pad bytes longer than it needs (pad 0: the
 * encoder's frame). */
static wire_t profile_wire(const sy_profile_update_t *p, int pad) {
    wire_t w = {.n = 0};
    w_header(&w, SY_SCHEMA_PROFILE_UPDATE);
    w_str(&w, p->contact_id);
    w_long(&w, p->updated_at_ms);
    if (p->set_count)
        w_long_pad(&w, (int64_t)p->set_count, pad);
    for (size_t i = 0; i < p->set_count; i++) {
        const sy_value_t *v = &p->set[i].value;
        w_str(&w, p->set[i].name);
        w_long_pad(&w, v->kind, pad);
        uint64_t bits;
        switch (v->kind) {
        case SY_VALUE_NULL: break;
        case SY_VALUE_BOOL: w_byte(&w, v->u.b); break;
        case SY_VALUE_LONG: w_long(&w, v->u.l); break;
        case SY_VALUE_DOUBLE:
            memcpy(&bits, &v->u.d, sizeof bits);
            for (int b = 0; b < 8; b++)
                w_byte(&w, (uint8_t)(bits >> 8 * b));
            break;
        case SY_VALUE_STRING: w_str(&w, v->u.s); break;
        }
    }
    w_long(&w, 0);
    if (p->unset_count)
        w_long_pad(&w, (int64_t)p->unset_count, pad);
    for (size_t i = 0; i < p->unset_count; i++)
        w_str(&w, p->unset[i]);
    w_long(&w, 0);
    return w;
}

Test(codec, usual_profile_updates_and_padded_ones_decode_alike) {
    static gen_t g;
    static sy_profile_update_t want, got;
    g.rng = UINT64_C(0x70726f66696c65);
    for (int run = 0; run < 2000; run++) {
        g.used = 0;
        gen_profile_update(&g, &want);
        for (int pad = 0; pad <= 1; pad++) {
            wire_t w = profile_wire(&want, pad);
            if (pad == 0) {
                const void *frame;
                size_t len;
                expect_err(codec_encode_profile_update(codec, &want, &frame, &len, errbuf,
                                                       sizeof errbuf), SY_OK);
                cr_assert(eq(sz, len, w.n), "run %d: the hand-made frame's length", run);
                cr_assert(memcmp(frame, w.b, len) == 0, "run %d: not the encoder's", run);
            }
            expect_err(decode_wire(&w, &got), SY_OK);
            expect_profile_eq(&got, &want);
        }
    }
}

/* The decoder refuses w with err and the guard's message (codec_to_json's). */
static void expect_refused(const wire_t *w, sy_err_t err, const char *want) {
    sy_profile_update_t p;
    expect_refused_as_guard(w, decode_wire(w, &p), err, want);
}

/* Header, contact and time, then one set entry "a" with union index kind. */
static wire_t one_entry(int64_t kind) {
    wire_t w = {.n = 0};
    w_header(&w, SY_SCHEMA_PROFILE_UPDATE);
    w_str(&w, "c1");
    w_long(&w, T0_MS);
    w_long(&w, 1);
    w_str(&w, "a");
    w_long(&w, kind);
    return w;
}

Test(codec, usual_profile_reader_refuses_what_the_guard_refuses) {
    wire_t w = one_entry(SY_VALUE_BOOL);
    w_byte(&w, 2);
    w_long(&w, 0);
    w_long(&w, 0);
    expect_refused(&w, SY_ERR_MALFORMED, "boolean byte 2 is neither 0 nor 1");
    w = one_entry(5);
    w_long(&w, 0);
    w_long(&w, 0);
    expect_refused(&w, SY_ERR_MALFORMED, "union");
    w = one_entry(SY_VALUE_NULL);
    w_long(&w, 0);
    w_long(&w, 0);
    wire_t trailing = w;
    w_byte(&trailing, 0);
    expect_refused(&trailing, SY_ERR_MALFORMED, "1 trailing bytes after the record");
    wire_t cut = w;
    cut.n--;
    expect_refused(&cut, SY_ERR_TRUNCATED, "");
    w = one_entry(SY_VALUE_STRING);
    w_long(&w, 2);
    w_raw(&w, "\xc3\x28", 2); /* not UTF-8 */
    w_long(&w, 0);
    w_long(&w, 0);
    expect_refused(&w, SY_ERR_MALFORMED, "UTF-8");
}

/* More entries than one-byte counts hold, and more than the limit: the checked way reads
 * the first, and says the second, as before. */
Test(codec, usual_profile_reader_leaves_long_maps_to_the_checked_way) {
    static sy_profile_update_t want, got;
    static char names[100][8];
    memset(&want, 0, sizeof want);
    want.contact_id = "c1";
    want.updated_at_ms = T0_MS;
    for (size_t i = 0; i < 100; i++) {
        snprintf(names[i], sizeof names[i], "a%zu", i);
        want.set[i] = (sy_attr_t){names[i], {.kind = SY_VALUE_LONG, .u.l = (int64_t)i}};
    }
    want.set_count = 100;
    wire_t w = profile_wire(&want, 0);
    expect_err(decode_wire(&w, &got), SY_OK);
    expect_profile_eq(&got, &want);
    w = (wire_t){.n = 0};
    w_header(&w, SY_SCHEMA_PROFILE_UPDATE);
    w_str(&w, "c1");
    w_long(&w, T0_MS);
    /* Blocks of 41 (one-byte counts) up to one entry past the limit. */
    for (int n = 0; n <= SY_PROFILE_ATTRS_MAX; n += 41) {
        int block = SY_PROFILE_ATTRS_MAX + 1 - n < 41 ? SY_PROFILE_ATTRS_MAX + 1 - n : 41;
        w_long(&w, block);
        for (int i = 0; i < block; i++) {
            snprintf(names[0], sizeof names[0], "a%d", n + i);
            w_str(&w, names[0]);
            w_long(&w, SY_VALUE_NULL);
        }
    }
    w_long(&w, 0);
    w_long(&w, 0);
    expect_err(decode_wire(&w, &got), SY_ERR_LIMIT);
    char limit[96];
    snprintf(limit, sizeof limit, "ProfileUpdate: %d set exceed the limit of %d",
             SY_PROFILE_ATTRS_MAX + 1, SY_PROFILE_ATTRS_MAX);
    expect_msg(limit);
}

/* Values of a record, as its JSON: codec_to_json of the frame the encoder writes for p. */
static void json_of(const sy_profile_update_t *p, char *out, size_t size) {
    const void *frame;
    size_t len;
    char *json = NULL;
    expect_err(codec_encode_profile_update(codec, p, &frame, &len, errbuf, sizeof errbuf),
               SY_OK);
    expect_err(codec_to_json(codec, frame, len, &json, errbuf, sizeof errbuf), SY_OK);
    snprintf(out, size, "%s", json);
    free(json);
}

#define USUAL_RUNS 100000

Test(codec, usual_profile_reader_agrees_with_the_guard_on_seeded_mutations,
     .timeout = 600) {
    static sy_profile_update_t full, p;
    static char got_json[4096];
    init_profile_full(&full);
    wire_t valid = profile_wire(&full, 0), buf;
    char guard_msg[512];
    uint64_t rng = UINT64_C(0x7573756170);
    size_t refused = 0, accepted = 0;
    for (int run = 0; run < USUAL_RUNS; run++) {
        buf = valid;
        for (uint64_t edits = 1 + rng_next(&rng) % 4; edits--;) {
            uint64_t r = rng_next(&rng);
            size_t body = buf.n - 5, at = 5 + (size_t)(r >> 16) % (body ? body : 1);
            if (r % 4 == 0 && body)
                buf.n = 5 + (size_t)(r >> 24) % body; /* cut the body */
            else if (at < buf.n && r % 4 == 1)
                buf.b[at] = (uint8_t)(r >> 40);
            else if (at < buf.n)
                buf.b[at] ^= (uint8_t)(1u << (r >> 8 & 7));
        }
        char *json = NULL;
        sy_err_t want = codec_to_json(codec, buf.b, buf.n, &json, guard_msg,
                                      sizeof guard_msg);
        sy_err_t got = decode_wire(&buf, &p);
        cr_assert(eq(int, (int)got, (int)want), "run %d: %s / %s", run, errbuf, guard_msg);
        if (got != SY_OK) {
            cr_assert(eq(str, errbuf, guard_msg), "run %d", run);
            refused++;
        } else {
            json_of(&p, got_json, sizeof got_json);
            cr_assert(eq(str, got_json, json), "run %d: the values read differ", run);
            accepted++;
        }
        free(json);
    }
    cr_expect(gt(sz, refused, USUAL_RUNS / 4), "refused: %zu", refused);
    cr_expect(gt(sz, accepted, USUAL_RUNS / 100), "accepted: %zu", accepted);
}
