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
