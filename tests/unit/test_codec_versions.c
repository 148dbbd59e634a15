/* test_codec_versions.c — ActionCommand version 1 (schema id 3) and version 2 (id 8, with
 * the call-to-action fields): the codec writes version 2, reads both, and Avro schema
 * resolution reads either version's records as the other, as a schema registry's BACKWARD
 * check and a consumer still on version 1 rely on. Not the resolution rules one by one
 * (test_codec_resolve.c). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <string.h>

#include "codec_fixture.h"
#include "codec_int.h"

/* A tracked action as the engine writes it: every call-to-action field set. */
static sy_action_t action_tracked(void) {
    sy_action_t a = action_full();
    a.tracking_number = "+12125550100";
    a.tracking_display = "(212) 555-0100";
    a.tracking_tel = "tel:+12125550100";
    a.tracking_cta = "button";
    a.tracking_fallback = false;
    return a;
}

/* The JSON text of frame (owned by the caller). */
static char *frame_json(const void *frame, size_t len) {
    char *json = NULL;
    expect_err(codec_to_json(codec, frame, len, &json, errbuf, sizeof errbuf), SY_OK);
    return json;
}

/* A version 1 frame of a (whose call-to-action fields must be unset): version 2 is
 * version 1 and four trailing unions: three nulls (a zero byte each), and the fallback
 * flag, null without a number (a zero byte) or [1, false] with one (2, 0). Owned by the
 * caller. */
static uint8_t *v1_frame(const sy_action_t *a, size_t *len) {
    const void *frame;
    bool unset = !a->tracking_display && !a->tracking_tel && !a->tracking_cta &&
                 !a->tracking_fallback;
    cr_assert(unset, "call-to-action fields set");
    expect_err(codec_encode_action(codec, a, &frame, len, errbuf, sizeof errbuf), SY_OK);
    const uint8_t *p = frame;
    size_t tail = a->tracking_number ? 5 : 4;
    bool v2 = *len > 5 + tail && p[4] == SY_SCHEMA_ACTION_COMMAND;
    cr_assert(v2, "a version 2 frame");
    for (size_t i = 0; i < tail; i++)
        cr_assert(eq(int, p[*len - tail + i], a->tracking_number && i == 3 ? 2 : 0));
    *len -= tail;
    uint8_t *copy = exact_copy(frame, *len);
    copy[4] = SY_SCHEMA_ACTION_COMMAND_V1;
    return copy;
}

Test(codec, action_is_written_as_version_2_with_its_call_to_action) {
    sy_action_t a = action_tracked(), got;
    const void *frame;
    size_t len;
    expect_err(codec_encode_action(codec, &a, &frame, &len, errbuf, sizeof errbuf), SY_OK);
    cr_expect(eq(int, ((const uint8_t *)frame)[4], 8), "schema id of version 2");
    uint8_t *copy = exact_copy(frame, len);
    expect_err(codec_decode_action(codec, copy, len, &got, errbuf, sizeof errbuf), SY_OK);
    expect_action_eq(&got, &a);
    char *json = frame_json(copy, len);
    cr_expect(strstr(json, "\"tracking_number\":\"+12125550100\"") != NULL, "%s", json);
    cr_expect(strstr(json, "\"tracking_display\":\"(212) 555-0100\",\"tracking_tel\":"
                           "\"tel:+12125550100\",\"tracking_cta\":\"button\","
                           "\"tracking_fallback\":false}") != NULL, "%s", json);
    free(json);
    free(copy);
}

Test(codec, a_fallback_number_says_so_on_the_wire) {
    sy_action_t a = action_tracked(), got;
    a.tracking_fallback = true;
    a.tracking_cta = "text";
    ROUND_TRIP(codec_encode_action, codec_decode_action, &a, &got);
    expect_action_eq(&got, &a);
    cr_expect(got.tracking_fallback);
}

Test(codec, an_action_without_tracking_has_null_call_to_action_fields) {
    sy_action_t a = action_full(), got;
    a.tracking_number = a.tracking_display = a.tracking_tel = a.tracking_cta = NULL;
    a.tracking_fallback = false;
    const void *frame;
    size_t len;
    expect_err(codec_encode_action(codec, &a, &frame, &len, errbuf, sizeof errbuf), SY_OK);
    uint8_t *copy = exact_copy(frame, len);
    char *json = frame_json(copy, len);
    cr_expect(strstr(json, "\"tracking_display\":null,\"tracking_tel\":null,"
                           "\"tracking_cta\":null,\"tracking_fallback\":null}") != NULL,
              "%s", json);
    expect_err(codec_decode_action(codec, copy, len, &got, errbuf, sizeof errbuf), SY_OK);
    expect_action_eq(&got, &a);
    free(json);
    free(copy);
}

Test(codec, a_version_1_action_still_decodes_with_no_call_to_action) {
    sy_action_t a = action_full(), got;
    a.tracking_display = a.tracking_tel = a.tracking_cta = NULL;
    a.tracking_fallback = false;
    size_t len;
    uint8_t *v1 = v1_frame(&a, &len);
    expect_err(codec_decode_action(codec, v1, len, &got, errbuf, sizeof errbuf), SY_OK);
    expect_action_eq(&got, &a);
    char *json = frame_json(v1, len);
    cr_expect(strstr(json, "\"tracking_number\":\"+15550100\"") != NULL, "%s", json);
    cr_expect(strstr(json, "tracking_cta") == NULL, "version 1 has no CTA: %s", json);
    free(json);
    free(v1);
}

Test(codec, a_version_2_body_framed_as_version_1_is_refused) {
    sy_action_t a = action_tracked(), got;
    const void *frame;
    size_t len;
    expect_err(codec_encode_action(codec, &a, &frame, &len, errbuf, sizeof errbuf), SY_OK);
    uint8_t *copy = exact_copy(frame, len);
    copy[4] = SY_SCHEMA_ACTION_COMMAND_V1;
    cr_expect(codec_decode_action(codec, copy, len, &got, errbuf, sizeof errbuf) != SY_OK,
              "trailing call-to-action fields read as version 1");
    free(copy);
}

/* Resolve frame (written with writer's schema) into reader and decode it. */
static sy_err_t resolve_action(sy_schema_id_t writer, sy_schema_id_t reader,
                               const void *frame, size_t len, sy_action_t *out) {
    codec_resolver_t *res = NULL;
    const char *text = codec_schema_json(writer);
    sy_err_t err = codec_resolver_new(codec, reader, text, strlen(text), &res, errbuf,
                                      sizeof errbuf);
    expect_err(err, SY_OK);
    cr_expect(not(codec_resolver_identity(res)), "the versions differ");
    const void *resolved;
    size_t resolved_len;
    err = codec_resolve_frame(res, frame, len, &resolved, &resolved_len, errbuf,
                              sizeof errbuf);
    if (err == SY_OK) {
        cr_expect(eq(int, ((const uint8_t *)resolved)[4], reader), "framed as the reader");
        uint8_t *copy = exact_copy(resolved, resolved_len);
        err = codec_decode_action(codec, copy, resolved_len, out, errbuf, sizeof errbuf);
        free(copy);
    }
    codec_resolver_free(res);
    return err;
}

Test(codec, a_version_2_reader_resolves_version_1_records_with_null_defaults) {
    sy_action_t a = action_full(), got;
    a.tracking_display = a.tracking_tel = a.tracking_cta = NULL;
    a.tracking_fallback = false;
    size_t len;
    uint8_t *v1 = v1_frame(&a, &len);
    expect_err(resolve_action(SY_SCHEMA_ACTION_COMMAND_V1, SY_SCHEMA_ACTION_COMMAND, v1, len,
                              &got),
               SY_OK);
    expect_action_eq(&got, &a);
    free(v1);
}

Test(codec, a_version_1_reader_resolves_version_2_records_without_the_new_fields) {
    sy_action_t a = action_tracked(), got, want;
    const void *frame;
    size_t len;
    expect_err(codec_encode_action(codec, &a, &frame, &len, errbuf, sizeof errbuf), SY_OK);
    uint8_t *copy = exact_copy(frame, len);
    expect_err(resolve_action(SY_SCHEMA_ACTION_COMMAND, SY_SCHEMA_ACTION_COMMAND_V1, copy,
                              len, &got),
               SY_OK);
    want = a;
    want.tracking_display = want.tracking_tel = want.tracking_cta = NULL;
    want.tracking_fallback = false;
    expect_action_eq(&got, &want);
    free(copy);
}
