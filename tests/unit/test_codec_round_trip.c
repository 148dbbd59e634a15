/* test_codec_round_trip.c — every record kind encoded and decoded back equal, with its
 * optional fields set and absent, extreme numbers, and a dead letter's empty value kept
 * apart from none. Records and comparisons are codec_fixture.h's. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_fixture.h"

/* --- round trips ------------------------------------------------------------------------ */

Test(codec, event_round_trips_with_all_optional_fields_set) {
    sy_event_t in = event_full(), out;
    ROUND_TRIP(codec_encode_event, codec_decode_event, &in, &out);
    expect_event_eq(&out, &in);
}

Test(codec, event_round_trips_with_optional_fields_absent) {
    sy_event_t in = event_min(), out;
    ROUND_TRIP(codec_encode_event, codec_decode_event, &in, &out);
    expect_event_eq(&out, &in);
}

Test(codec, profile_update_round_trips_every_value_kind) {
    static sy_profile_update_t in, out;
    init_profile_full(&in);
    ROUND_TRIP(codec_encode_profile_update, codec_decode_profile_update, &in, &out);
    expect_profile_eq(&out, &in);
}

Test(codec, profile_update_round_trips_empty) {
    static sy_profile_update_t in = {.contact_id = "c"}, out;
    ROUND_TRIP(codec_encode_profile_update, codec_decode_profile_update, &in, &out);
    expect_profile_eq(&out, &in);
}

Test(codec, profile_update_round_trips_at_the_attribute_limit) {
    static sy_profile_update_t in = {.contact_id = "c", .updated_at_ms = 1}, out;
    static char names[SY_PROFILE_ATTRS_MAX][16];
    cr_assert(eq(int, SY_PROFILE_ATTRS_MAX, 1024), "a profile holds up to 1,024 attributes");
    for (size_t i = 0; i < SY_PROFILE_ATTRS_MAX; i++) {
        snprintf(names[i], sizeof names[i], "v%04zu", i);
        in.set[i] = (sy_attr_t){names[i], {.kind = SY_VALUE_LONG, .u.l = (int64_t)i}};
        in.unset[i] = names[i];
    }
    in.set_count = in.unset_count = SY_PROFILE_ATTRS_MAX;
    ROUND_TRIP(codec_encode_profile_update, codec_decode_profile_update, &in, &out);
    expect_profile_eq(&out, &in);
}

Test(codec, action_round_trips_with_all_optional_fields_set) {
    sy_action_t in = action_full(), out;
    ROUND_TRIP(codec_encode_action, codec_decode_action, &in, &out);
    expect_action_eq(&out, &in);
}

Test(codec, action_round_trips_with_optional_fields_absent_and_extreme_numbers) {
    sy_action_t in = action_min(), out;
    ROUND_TRIP(codec_encode_action, codec_decode_action, &in, &out);
    expect_action_eq(&out, &in);
}

Test(codec, decision_round_trips_with_all_optional_fields_set) {
    sy_decision_t in = decision_full(), out;
    ROUND_TRIP(codec_encode_decision, codec_decode_decision, &in, &out);
    expect_decision_eq(&out, &in);
}

Test(codec, decision_round_trips_with_optional_fields_absent) {
    sy_decision_t in = decision_min(), out;
    ROUND_TRIP(codec_encode_decision, codec_decode_decision, &in, &out);
    expect_decision_eq(&out, &in);
}

Test(codec, contact_update_round_trips_with_all_optional_fields_set) {
    sy_contact_update_t in = contact_update_full(), out;
    ROUND_TRIP(codec_encode_contact_update, codec_decode_contact_update, &in, &out);
    expect_contact_update_eq(&out, &in);
}

Test(codec, contact_update_round_trips_with_optional_fields_absent) {
    sy_contact_update_t in = contact_update_min(), out;
    ROUND_TRIP(codec_encode_contact_update, codec_decode_contact_update, &in, &out);
    expect_contact_update_eq(&out, &in);
}

Test(codec, dead_letter_round_trips_with_key_and_value) {
    sy_dead_letter_t in = dead_letter_full(), out;
    ROUND_TRIP(codec_encode_dead_letter, codec_decode_dead_letter, &in, &out);
    expect_dead_letter_eq(&out, &in);
}

Test(codec, dead_letter_round_trips_without_key_and_value) {
    sy_dead_letter_t in = dead_letter_min(), out;
    ROUND_TRIP(codec_encode_dead_letter, codec_decode_dead_letter, &in, &out);
    expect_dead_letter_eq(&out, &in);
}

Test(codec, dead_letter_keeps_present_empty_value_apart_from_null) {
    sy_dead_letter_t in = dead_letter_min(), out;
    in.value = "";
    in.value_len = 0;
    ROUND_TRIP(codec_encode_dead_letter, codec_decode_dead_letter, &in, &out);
    cr_expect_not_null(out.value);
    cr_expect(eq(sz, out.value_len, 0));
    cr_expect_null(out.key);
}

/* --- ids' lengths given by the producer ------------------------------------------------- */

/* The frame of d, copied (the caller frees it), its length in *len. */
static uint8_t *decision_frame(const sy_decision_t *d, size_t *len) {
    const void *frame;
    expect_err(codec_encode_decision(codec, d, &frame, len, errbuf, sizeof errbuf), SY_OK);
    return exact_copy(frame, *len);
}

/* The frame of a, copied (the caller frees it), its length in *len. */
static uint8_t *action_frame(const sy_action_t *a, size_t *len) {
    const void *frame;
    expect_err(codec_encode_action(codec, a, &frame, len, errbuf, sizeof errbuf), SY_OK);
    return exact_copy(frame, *len);
}

/* An id of n bytes ('a'..), NUL-terminated in buf. */
static const char *id_of(char *buf, size_t n) {
    memset(buf, 'a', n);
    buf[n] = '\0';
    return buf;
}

/* The lengths that matter: one byte, the last and first of a two-byte varint length (63,
 * 64), the limit. */
static const size_t id_lens[] = {1, 63, 64, SY_ID_BYTES_MAX};

Test(codec, decision_with_its_ids_lengths_given_encodes_as_measured) {
    char contact[SY_ID_BYTES_MAX + 1], journey[SY_ID_BYTES_MAX + 1];
    for (size_t i = 0; i < sizeof id_lens / sizeof id_lens[0]; i++) {
        size_t n = id_lens[i], len_measured, len_given;
        sy_decision_t d = decision_full();
        d.contact_id = id_of(contact, n);
        d.journey_id = id_of(journey, SY_ID_BYTES_MAX + 1 - n);
        uint8_t *measured = decision_frame(&d, &len_measured);
        d.contact_id_len = (uint16_t)n;
        d.journey_id_len = (uint16_t)(SY_ID_BYTES_MAX + 1 - n);
        uint8_t *given = decision_frame(&d, &len_given);
        cr_assert(eq(sz, len_given, len_measured), "contact id of %zu bytes", n);
        cr_assert(eq(int, memcmp(given, measured, len_given), 0), "contact id of %zu bytes", n);
        free(measured);
        free(given);
    }
}

Test(codec, decision_decoded_gives_no_ids_lengths) {
    sy_decision_t in = decision_full(), out;
    in.contact_id_len = 10; /* "contact-42" */
    in.journey_id_len = 6;  /* "coffee" */
    memset(&out, 0xff, sizeof out);
    ROUND_TRIP(codec_encode_decision, codec_decode_decision, &in, &out);
    expect_decision_eq(&out, &in);
    cr_assert(eq(u16, out.contact_id_len, 0));
    cr_assert(eq(u16, out.journey_id_len, 0));
}

Test(codec, decision_with_an_over_long_id_given_is_refused_as_measured) {
    char contact[SY_ID_BYTES_MAX + 2], why[256];
    const void *frame;
    size_t len;
    sy_decision_t d = decision_full();
    d.contact_id = id_of(contact, SY_ID_BYTES_MAX + 1);
    expect_err(codec_encode_decision(codec, &d, &frame, &len, why, sizeof why), SY_ERR_LIMIT);
    d.contact_id_len = SY_ID_BYTES_MAX + 1;
    expect_err(codec_encode_decision(codec, &d, &frame, &len, errbuf, sizeof errbuf),
               SY_ERR_LIMIT);
    cr_assert(eq(str, errbuf, why));
}

Test(codec, action_with_its_ids_lengths_given_encodes_as_measured) {
    char contact[SY_ID_BYTES_MAX + 1], journey[SY_ID_BYTES_MAX + 1];
    for (size_t i = 0; i < sizeof id_lens / sizeof id_lens[0]; i++) {
        size_t n = id_lens[i], len_measured, len_given;
        sy_action_t a = action_full();
        a.contact_id = id_of(contact, n);
        a.journey_id = id_of(journey, SY_ID_BYTES_MAX + 1 - n);
        uint8_t *measured = action_frame(&a, &len_measured);
        a.contact_id_len = (uint16_t)n;
        a.journey_id_len = (uint16_t)(SY_ID_BYTES_MAX + 1 - n);
        uint8_t *given = action_frame(&a, &len_given);
        cr_assert(eq(sz, len_given, len_measured), "contact id of %zu bytes", n);
        cr_assert(eq(int, memcmp(given, measured, len_given), 0), "contact id of %zu bytes", n);
        free(measured);
        free(given);
    }
}

Test(codec, action_decoded_gives_no_ids_lengths) {
    sy_action_t in = action_full(), out;
    in.contact_id_len = 10;
    in.journey_id_len = 6;
    memset(&out, 0xff, sizeof out);
    ROUND_TRIP(codec_encode_action, codec_decode_action, &in, &out);
    cr_assert(eq(u16, out.contact_id_len, 0));
    cr_assert(eq(u16, out.journey_id_len, 0));
}
