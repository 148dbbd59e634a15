/* test_ingest.c — the webhook formats of `switchyard ingest` without a broker or HTTP:
 * SendGrid's events, Twilio's callbacks and the JSON endpoint into engagement events (type,
 * contact, ids, fields; what produces nothing; what is refused and why), form decoding,
 * and the signatures (SendGrid's ECDSA P-256 with a key made here, Twilio's HMAC-SHA1
 * computed independently), call tracking's callbacks, clicks and TwiML. Not the server
 * (tests/integration/test_ingest.py). */
#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/x509.h>
#include <string.h>

#include "ingest_batch.h"
#include "ingest_calls.h"
#include "ingest_sign.h"

static ingest_batch_t batch;
static char why[512];

static void batch_fini(void) {
    ingest_batch_deinit(&batch);
}

TestSuite(ingest, .fini = batch_fini);

/* A finder that knows one email and one phone, or says "not yet" for everything. */
static ingest_find_t find_fixed(void *opaque, ingest_address_t kind, const char *address,
                                char *contact_id, size_t size) {
    bool not_yet = opaque != NULL;
    const char *want = kind == INGEST_ADDRESS_EMAIL ? "bob@example.com" : "+15550001111";
    if (strcmp(address, want) == 0 && !not_yet) {
        snprintf(contact_id, size, "%s", kind == INGEST_ADDRESS_EMAIL ? "c-bob" : "c-phone");
        return INGEST_FIND_FOUND;
    }
    return not_yet ? INGEST_FIND_NOT_YET : INGEST_FIND_UNKNOWN;
}

static const ingest_finder_t finder = {find_fixed, NULL};

static const char *prop(const sy_event_t *e, const char *key) {
    for (size_t i = 0; i < e->props_count; i++)
        if (strcmp(e->props[i].key, key) == 0)
            return e->props[i].value;
    return NULL;
}

static sy_err_t sendgrid(const char *json) {
    return ingest_sendgrid_parse(json, strlen(json), &finder, &batch, why, sizeof why);
}

#define SG(event, extra)                                                                  \
    "{\"email\":\"ann@example.com\",\"timestamp\":1793606400,\"event\":\"" event "\","     \
    "\"sg_event_id\":\"id-" event "\",\"sg_message_id\":\"m1\",\"contact_id\":\"c-ann\","  \
    "\"action_id\":\"a-1\"" extra "}"

Test(ingest, sendgrid_maps_each_documented_event) {
    const char *body = "[" SG("processed", "") "," SG("delivered", "") "," SG("deferred", "")
        "," SG("dropped", ",\"reason\":\"Bounced Address\"") ","
        SG("bounce", ",\"type\":\"bounce\",\"bounce_classification\":\"Invalid Address\"")
        "," SG("open", "") "," SG("click", ",\"url\":\"https://x.example/o\"") ","
        SG("spamreport", "") "," SG("unsubscribe", "") ","
        SG("group_unsubscribe", ",\"asm_group_id\":10") "," SG("group_resubscribe", "") "]";
    cr_assert_eq(sendgrid(body), SY_OK, "%s", why);
    static const sy_event_type_t want[] = {
        SY_EVENT_SENT, SY_EVENT_DELIVERED, SY_EVENT_BLOCKED, SY_EVENT_BOUNCED,
        SY_EVENT_OPENED, SY_EVENT_CLICKED, SY_EVENT_SPAM_REPORT, SY_EVENT_UNSUBSCRIBED,
        SY_EVENT_UNSUBSCRIBED};
    cr_assert_eq(batch.count, 9);
    cr_assert_eq(batch.skipped, 2, "deferred and group_resubscribe produce nothing");
    for (size_t i = 0; i < 9; i++) {
        const sy_event_t *e = &batch.events[i];
        cr_expect_eq(e->type, want[i], "event %zu: %s", i, sy_event_type_name(e->type));
        cr_expect_eq(e->channel, SY_CHANNEL_EMAIL);
        cr_expect_str_eq(e->contact_id, "c-ann");
        cr_expect_str_eq(e->message_id, "a-1");
        cr_expect_eq(e->occurred_at_ms, INT64_C(1793606400000));
        cr_expect_str_eq(prop(e, "sg_message_id"), "m1");
    }
    cr_expect_str_eq(batch.events[0].event_id, "sendgrid:id-processed");
    cr_expect_str_eq(prop(&batch.events[2], "reason"), "Bounced Address");
    cr_expect_eq(batch.events[3].bounce, SY_BOUNCE_HARD);
    cr_expect_str_eq(prop(&batch.events[3], "bounce_classification"), "Invalid Address");
    cr_expect_str_eq(batch.events[5].link, "https://x.example/o");
    cr_expect_str_eq(prop(&batch.events[8], "asm_group_id"), "10");
}

Test(ingest, sendgrid_blocked_bounce_is_soft) {
    cr_assert_eq(sendgrid("[" SG("bounce", ",\"type\":\"blocked\"") "]"), SY_OK, "%s", why);
    cr_assert_eq(batch.count, 1);
    cr_expect_eq(batch.events[0].type, SY_EVENT_BOUNCED);
    cr_expect_eq(batch.events[0].bounce, SY_BOUNCE_SOFT);
}

Test(ingest, sendgrid_without_contact_id_is_found_by_email_in_any_case) {
    const char *body = "[{\"email\":\"Bob@Example.COM\",\"timestamp\":1,\"event\":\"open\","
                       "\"sg_event_id\":\"e1\"},{\"email\":\"nobody@example.com\","
                       "\"timestamp\":1,\"event\":\"open\",\"sg_event_id\":\"e2\"}]";
    cr_assert_eq(sendgrid(body), SY_OK, "%s", why);
    cr_assert_eq(batch.count, 1);
    cr_expect_str_eq(batch.events[0].contact_id, "c-bob");
    cr_expect_eq(batch.unmatched, 1);
    cr_expect_not(batch.not_yet);
}

Test(ingest, sendgrid_unknown_address_before_the_profiles_are_read_is_not_yet) {
    ingest_finder_t later = {find_fixed, (void *)1};
    const char *body = "[{\"email\":\"x@example.com\",\"timestamp\":1,\"event\":\"open\","
                       "\"sg_event_id\":\"e1\"}]";
    cr_assert_eq(ingest_sendgrid_parse(body, strlen(body), &later, &batch, why, sizeof why),
                 SY_OK);
    cr_expect(batch.not_yet);
}

Test(ingest, sendgrid_malformed_bodies_say_why) {
    cr_expect_eq(sendgrid("{\"event\":\"open\"}"), SY_ERR_INVALID_RECORD);
    cr_expect(strstr(why, "JSON array"), "%s", why);
    ingest_batch_reset(&batch);
    cr_expect_eq(sendgrid("[" SG("open", "") ",{\"event\":\"open\",\"timestamp\":1}]"),
                 SY_ERR_INVALID_RECORD);
    cr_expect(strstr(why, "event 2") && strstr(why, "sg_event_id"), "%s", why);
    ingest_batch_reset(&batch);
    cr_expect_eq(sendgrid("[" SG("click", "") "]"), SY_ERR_INVALID_RECORD);
    cr_expect(strstr(why, "url"), "%s", why);
    ingest_batch_reset(&batch);
    cr_expect_eq(sendgrid("[1,"), SY_ERR_INVALID_RECORD);
    cr_expect(strstr(why, "not JSON"), "%s", why);
}

static sy_err_t twilio(ingest_twilio_kind_t kind, const char *body, const char *query) {
    static ingest_form_t form, q;
    sy_err_t err = ingest_form_parse(&batch, body, strlen(body), &form, why, sizeof why);
    cr_assert_eq(err, SY_OK, "%s", why);
    cr_assert_eq(ingest_form_parse(&batch, query, strlen(query), &q, why, sizeof why), SY_OK);
    return ingest_twilio_parse(kind, &form, &q, 1000, &finder, &batch, why, sizeof why);
}

Test(ingest, form_decoding_handles_escapes_and_refuses_bad_ones) {
    ingest_form_t form;
    const char *text = "Body=Stop+now%21&To=%2B1555&Empty=&Flag";
    cr_assert_eq(ingest_form_parse(&batch, text, strlen(text), &form, why, sizeof why), SY_OK);
    cr_assert_eq(form.count, 4);
    cr_expect_str_eq(ingest_form_get(&form, "Body"), "Stop now!");
    cr_expect_str_eq(ingest_form_get(&form, "To"), "+1555");
    cr_expect_str_eq(ingest_form_get(&form, "Empty"), "");
    cr_expect_str_eq(ingest_form_get(&form, "Flag"), "");
    cr_expect_eq(ingest_form_parse(&batch, "a=%4", 4, &form, why, sizeof why),
                 SY_ERR_INVALID_RECORD);
    cr_expect_eq(ingest_form_parse(&batch, "a=%00", 5, &form, why, sizeof why),
                 SY_ERR_INVALID_RECORD);
}

Test(ingest, twilio_message_statuses) {
    const char *q = "contact_id=c-sms&action_id=a-2";
    cr_assert_eq(twilio(INGEST_TWILIO_MESSAGE_STATUS, "MessageSid=SM1&MessageStatus=queued",
                        q), SY_OK);
    cr_expect_eq(batch.count, 0);
    cr_expect_eq(batch.skipped, 1);
    cr_assert_eq(twilio(INGEST_TWILIO_MESSAGE_STATUS, "MessageSid=SM1&MessageStatus=delivered",
                        q), SY_OK);
    cr_assert_eq(twilio(INGEST_TWILIO_MESSAGE_STATUS,
                        "SmsSid=SM1&SmsStatus=undelivered&ErrorCode=30003", q), SY_OK);
    cr_assert_eq(batch.count, 2);
    cr_expect_str_eq(batch.events[0].event_id, "twilio:SM1:delivered");
    cr_expect_eq(batch.events[0].type, SY_EVENT_DELIVERED);
    cr_expect_str_eq(batch.events[0].contact_id, "c-sms");
    cr_expect_str_eq(batch.events[0].message_id, "a-2");
    cr_expect_eq(batch.events[0].occurred_at_ms, 1000);
    cr_expect_eq(batch.events[1].type, SY_EVENT_FAILED);
    cr_expect_str_eq(prop(&batch.events[1], "ErrorCode"), "30003");
    cr_expect_eq(twilio(INGEST_TWILIO_MESSAGE_STATUS, "MessageSid=SM1", q),
                 SY_ERR_INVALID_RECORD);
    cr_expect(strstr(why, "MessageStatus"), "%s", why);
}

Test(ingest, twilio_inbound_message_finds_its_contact_by_from) {
    cr_assert_eq(twilio(INGEST_TWILIO_MESSAGE_INBOUND,
                        "MessageSid=SM9&From=%2B15550001111&To=%2B1999&Body=STOP", ""), SY_OK);
    cr_assert_eq(batch.count, 1);
    cr_expect_eq(batch.events[0].type, SY_EVENT_REPLIED);
    cr_expect_str_eq(batch.events[0].contact_id, "c-phone");
    cr_expect_str_eq(batch.events[0].text, "STOP");
    cr_expect_str_eq(batch.events[0].event_id, "twilio:SM9");
    cr_assert_eq(twilio(INGEST_TWILIO_MESSAGE_INBOUND,
                        "MessageSid=SM8&From=%2B1000&To=%2B1999&Body=hi", ""), SY_OK);
    cr_expect_eq(batch.count, 1);
    cr_expect_eq(batch.unmatched, 1);
    cr_expect_eq(twilio(INGEST_TWILIO_MESSAGE_INBOUND, "MessageSid=SM7&Body=x", ""),
                 SY_ERR_INVALID_RECORD);
}

Test(ingest, twilio_call_statuses) {
    static const struct {
        const char *body;
        sy_event_type_t type;
    } cases[] = {
        {"CallSid=CA1&CallStatus=completed&AnsweredBy=human&CallDuration=42",
         SY_EVENT_ANSWERED},
        {"CallSid=CA1&CallStatus=completed", SY_EVENT_ANSWERED},
        {"CallSid=CA1&CallStatus=completed&AnsweredBy=machine_end_beep", SY_EVENT_VOICEMAIL},
        {"CallSid=CA1&CallStatus=busy", SY_EVENT_NOT_ANSWERED},
        {"CallSid=CA1&CallStatus=no-answer", SY_EVENT_NOT_ANSWERED},
        {"CallSid=CA1&CallStatus=failed&ErrorCode=32009", SY_EVENT_NOT_ATTEMPTED},
        {"CallSid=CA1&CallStatus=failed&ErrorCode=13225", SY_EVENT_BLOCKED},
        {"CallSid=CA1&CallStatus=canceled", SY_EVENT_NOT_ATTEMPTED},
        {"CallSid=CA1&CallStatus=initiated", SY_EVENT_ATTEMPTED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ingest_batch_reset(&batch);
        cr_assert_eq(twilio(INGEST_TWILIO_VOICE_STATUS, cases[i].body, "contact_id=c-v"),
                     SY_OK, "%s", why);
        cr_assert_eq(batch.count, 1, "%s", cases[i].body);
        cr_expect_eq(batch.events[0].type, cases[i].type, "%s: %s", cases[i].body,
                     sy_event_type_name(batch.events[0].type));
        cr_expect_eq(batch.events[0].channel, SY_CHANNEL_VOICE);
    }
    ingest_batch_reset(&batch);
    cr_assert_eq(twilio(INGEST_TWILIO_VOICE_STATUS, "CallSid=CA1&CallStatus=ringing", ""),
                 SY_OK);
    cr_expect_eq(batch.skipped, 1);
}

/* A Twilio Voice callback to a tracking number (the event's strings must outlive the
 * call: ASan sees a pointer into its stack). */
static sy_err_t call_callback(calls_twilio_kind_t kind, const char *body) {
    static ingest_form_t form;
    cr_assert_eq(ingest_form_parse(&batch, body, strlen(body), &form, why, sizeof why), SY_OK);
    return ingest_calls_twilio(kind, &form, 5000, &batch, why, sizeof why);
}

Test(ingest, calls_callback_is_call_inbound_keyed_by_the_number) {
    cr_assert_eq(call_callback(CALLS_TWILIO_TRANSCRIPTION,
                               "CallSid=CA9&From=%2B15550004444&To=%2B12125550101"
                               "&CallStatus=completed&TranscriptionText=credit+card"),
                 SY_OK, "%s", why);
    cr_assert_eq(batch.count, 1);
    const sy_event_t *e = &batch.events[0];
    cr_expect_str_eq(e->contact_id, "call:+12125550101");
    cr_expect_str_eq(e->event_id, "CA9:transcription");
    cr_expect_eq(e->channel, SY_CHANNEL_CALL);
    cr_expect_eq(e->type, SY_EVENT_INBOUND);
    cr_expect_eq(e->occurred_at_ms, 5000);
    cr_expect_str_eq(e->text, "credit card");
    cr_expect_str_eq(prop(e, "from"), "+15550004444");
    cr_expect_str_eq(prop(e, "status"), "completed");
    ingest_batch_reset(&batch);
    cr_expect_eq(call_callback(CALLS_TWILIO_STATUS, "CallSid=CA9&To=2125550101"),
                 SY_ERR_INVALID_RECORD);
    cr_expect(strstr(why, "E.164"), "%s", why);
    cr_expect_eq(batch.count, 0);
}

Test(ingest, click_to_call_is_email_clicked_with_the_device) {
    calls_device_t device;
    char e164[SY_PHONE_E164_BYTES];
    const char *phone = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
                        "(KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36";
    /* hex("c-1") "." action id "." digits */
    cr_assert_eq(ingest_calls_click("632d31.ab12.12125550101", phone, 7000, &batch, &device,
                                    e164, why, sizeof why), SY_OK, "%s", why);
    cr_expect_eq(device, CALLS_DEVICE_SMARTPHONE);
    cr_expect_str_eq(e164, "+12125550101");
    const sy_event_t *e = &batch.events[0];
    cr_expect_str_eq(e->contact_id, "c-1");
    cr_expect_str_eq(e->message_id, "ab12");
    cr_expect_eq(e->channel, SY_CHANNEL_EMAIL);
    cr_expect_eq(e->type, SY_EVENT_CLICKED);
    cr_expect_str_eq(e->link, "call");
    cr_expect_str_eq(prop(e, "device"), "smartphone");
    cr_expect_eq(ingest_calls_click("632d31.ab12.12125550101", NULL, 7001, &batch, &device,
                                    e164, why, sizeof why), SY_OK);
    cr_expect_eq(device, CALLS_DEVICE_DESKTOP);
    cr_expect_str_neq(batch.events[1].event_id, batch.events[0].event_id);
    cr_expect_eq(ingest_calls_click("632d31.AB12.12125550101", NULL, 7002, &batch, &device,
                                    e164, why, sizeof why), SY_ERR_INVALID_RECORD);
    cr_expect(strstr(why, "click-to-call token"), "%s", why);
    cr_expect_eq(batch.count, 2);
}

Test(ingest, inbound_call_twiml_dials_the_forward_number_or_is_empty) {
    char twiml[256];
    ingest_calls_twiml("+18005550100", twiml, sizeof twiml);
    cr_expect(strstr(twiml, "<Response><Dial>+18005550100</Dial></Response>"), "%s", twiml);
    ingest_calls_twiml("", twiml, sizeof twiml);
    cr_expect(strstr(twiml, "<Response/>") && !strstr(twiml, "Dial"), "%s", twiml);
}

static sy_err_t api(const char *json) {
    return ingest_api_parse(json, strlen(json), &batch, why, sizeof why);
}

Test(ingest, api_takes_one_event_or_a_batch) {
    cr_assert_eq(api("{\"event_id\":\"e1\",\"contact_id\":\"c1\",\"time\":1000,"
                     "\"type\":\"custom.purchase\",\"value\":2.5}"), SY_OK, "%s", why);
    cr_assert_eq(api("[{\"event_id\":\"e2\",\"contact_id\":\"c1\",\"time\":1000,"
                     "\"type\":\"push.opened\"},{\"event_id\":\"e3\",\"contact_id\":\"c2\","
                     "\"time\":1000,\"type\":\"in_app.shown\",\"props\":{\"k\":\"v\"}}]"),
                 SY_OK, "%s", why);
    cr_assert_eq(batch.count, 3);
    cr_expect_str_eq(batch.events[0].name, "purchase");
    cr_expect_eq(batch.events[0].value, 2.5);
    cr_expect_eq(batch.events[1].channel, SY_CHANNEL_PUSH);
    cr_expect_str_eq(batch.events[2].event_id, "e3");
    cr_expect_str_eq(prop(&batch.events[2], "k"), "v");
}

Test(ingest, api_refuses_what_is_no_event) {
    cr_expect_eq(api("{\"contact_id\":\"c1\",\"time\":1,\"type\":\"custom.x\"}"),
                 SY_ERR_INVALID_RECORD);
    cr_expect(strstr(why, "event_id"), "%s", why);
    cr_expect_eq(api("{\"event_id\":\"e\",\"contact_id\":\"c1\",\"time\":1,"
                     "\"type\":\"email.teleported\"}"), SY_ERR_INVALID_RECORD);
    cr_expect(strstr(why, "teleported"), "%s", why);
    cr_expect_eq(api("[{\"event_id\":\"e\",\"profile\":{}}]"), SY_ERR_INVALID_RECORD);
}

static void base64(const unsigned char *in, size_t len, char *out) {
    EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

/* Sign ts+body with key as SendGrid does (ECDSA, SHA-256, DER), base64 into sig_b64. */
static void sendgrid_sign(EVP_PKEY *key, const char *ts, const char *body, char *sig_b64) {
    unsigned char sig[128];
    size_t sig_len = sizeof sig;
    char data[1024];
    snprintf(data, sizeof data, "%s%s", ts, body);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    cr_assert(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) == 1);
    cr_assert(EVP_DigestSign(ctx, sig, &sig_len, (unsigned char *)data, strlen(data)) == 1);
    EVP_MD_CTX_free(ctx);
    base64(sig, sig_len, sig_b64);
}

static ingest_sign_key_t *public_key_of(EVP_PKEY *key) {
    unsigned char *der = NULL;
    char b64[512];
    int len = i2d_PUBKEY(key, &der);
    cr_assert(len > 0);
    base64(der, (size_t)len, b64);
    OPENSSL_free(der);
    ingest_sign_key_t *pub = NULL;
    cr_assert_eq(ingest_sign_key_load(&pub, b64, why, sizeof why), SY_OK, "%s", why);
    return pub;
}

Test(ingest, sendgrid_signature_verifies_and_refuses_changes) {
    EVP_PKEY *key = EVP_EC_gen("P-256"), *other = EVP_EC_gen("P-256");
    cr_assert(key && other);
    ingest_sign_key_t *pub = public_key_of(key), *other_pub = public_key_of(other);
    const char *body = "[{\"event\":\"open\"}]\r\n";
    char sig[256];
    sendgrid_sign(key, "1793606400", body, sig);
    cr_expect(ingest_sign_sendgrid_verify(pub, sig, "1793606400", body, strlen(body)));
    cr_expect_not(ingest_sign_sendgrid_verify(pub, sig, "1793606401", body, strlen(body)),
                  "another timestamp");
    cr_expect_not(ingest_sign_sendgrid_verify(pub, sig, "1793606400", body, strlen(body) - 1),
                  "another body");
    cr_expect_not(ingest_sign_sendgrid_verify(other_pub, sig, "1793606400", body,
                                              strlen(body)), "another key");
    cr_expect_not(ingest_sign_sendgrid_verify(pub, "not base64!", "1793606400", body,
                                              strlen(body)));
    ingest_sign_key_free(pub);
    ingest_sign_key_free(other_pub);
    EVP_PKEY_free(key);
    EVP_PKEY_free(other);
}

Test(ingest, sendgrid_key_that_is_no_p256_key_is_a_config_error) {
    ingest_sign_key_t *pub = NULL;
    cr_expect_eq(ingest_sign_key_load(&pub, "bm90IGEga2V5", why, sizeof why), SY_ERR_CONFIG);
    cr_expect(strstr(why, "ingest.sendgrid.public.key"), "%s", why);
    cr_expect_null(pub);
}

Test(ingest, twilio_signature_is_hmac_sha1_of_url_and_sorted_params) {
    const char *url = "https://hooks.example.test/twilio/voice/status?contact_id=c%201";
    ingest_form_t form = {.count = 3, .params = {{"To", "+1800"}, {"CallSid", "CA1"},
                                                  {"Digits", "1234"}}};
    char data[512], expected[64], got[INGEST_SIGN_TWILIO_BYTES];
    unsigned char mac[20];
    unsigned int mac_len = 0;
    snprintf(data, sizeof data, "%sCallSidCA1Digits1234To+1800", url);
    HMAC(EVP_sha1(), "12345", 5, (unsigned char *)data, strlen(data), mac, &mac_len);
    base64(mac, mac_len, expected);
    cr_assert(ingest_sign_twilio("12345", url, &form, got));
    cr_expect_str_eq(got, expected);
    cr_expect(ingest_sign_twilio_verify("12345", url, &form, expected));
    cr_expect_not(ingest_sign_twilio_verify("12346", url, &form, expected), "another token");
    cr_expect_not(ingest_sign_twilio_verify("12345", "https://hooks.example.test/x", &form,
                                            expected), "another URL");
    cr_expect_not(ingest_sign_twilio_verify("12345", url, &form, NULL));
    cr_expect(ingest_sign_equal("abc", "abc"));
    cr_expect_not(ingest_sign_equal("abc", "abd"));
    cr_expect_not(ingest_sign_equal("abc", "abcd"));
}
