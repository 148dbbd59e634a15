/* test_calls_http.c — the pure parts of call tracking's HTTP side (connectors/calls_http.h):
 * User-Agent classes on real headers, Twilio Voice callbacks as call.inbound events, and
 * the click-to-call token and page. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <string.h>

#include "calls_http.h"

static const struct {
    const char *ua;
    calls_device_t device;
} real_agents[] = {
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
     "like Gecko) Version/17.1 Mobile/15E148 Safari/604.1", CALLS_DEVICE_SMARTPHONE},
    {"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/119.0.6045.163 Mobile Safari/537.36", CALLS_DEVICE_SMARTPHONE},
    {"Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
     "SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36", CALLS_DEVICE_SMARTPHONE},
    {"Mozilla/5.0 (Android 14; Mobile; rv:120.0) Gecko/120.0 Firefox/120.0",
     CALLS_DEVICE_SMARTPHONE},
    {"Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1; Microsoft; Lumia 950) "
     "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/52.0.2743.116 Mobile Safari/537.36 "
     "Edge/15.14977", CALLS_DEVICE_SMARTPHONE},
    {"Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/16.6 Mobile/15E148 Safari/604.1", CALLS_DEVICE_TABLET},
    {"Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/119.0.0.0 Safari/537.36", CALLS_DEVICE_TABLET},
    {"Mozilla/5.0 (Linux; Android 9; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Silk/119.3.1 like Chrome/119.0.6045.193 Safari/537.36", CALLS_DEVICE_TABLET},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36", CALLS_DEVICE_DESKTOP},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) Version/17.1 Safari/605.1.15", CALLS_DEVICE_DESKTOP},
    {"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
     CALLS_DEVICE_DESKTOP},
    {"", CALLS_DEVICE_DESKTOP},
};

Test(calls_ua, real_user_agents_get_their_device_class) {
    for (size_t i = 0; i < sizeof real_agents / sizeof real_agents[0]; i++)
        cr_expect(eq(str, (char *)calls_device_name(calls_ua_classify(real_agents[i].ua)),
                     (char *)calls_device_name(real_agents[i].device)), "%s", real_agents[i].ua);
    cr_expect(eq(int, calls_ua_classify(NULL), CALLS_DEVICE_DESKTOP));
}

Test(calls_twilio, each_callback_is_a_call_inbound_event_keyed_by_the_number) {
    const sy_kv_t status[] = {{"CallSid", "CA42"}, {"From", "+13125559999"},
                              {"To", "+13125550104"}, {"CallStatus", "completed"},
                              {"CallDuration", "150"}, {"AccountSid", "AC1"}};
    char buf[CALLS_TWILIO_BUF_BYTES], errbuf[256];
    sy_event_t ev;
    cr_assert(eq(int, calls_twilio_event(status, 6, CALLS_TWILIO_STATUS, 1000, &ev, buf, errbuf,
                                         sizeof errbuf), SY_OK), "%s", errbuf);
    cr_expect(eq(str, (char *)ev.contact_id, "call:+13125550104"));
    cr_expect(eq(str, (char *)ev.event_id, "CA42:status"));
    cr_expect(eq(int, ev.channel, SY_CHANNEL_CALL));
    cr_expect(eq(int, ev.type, SY_EVENT_INBOUND));
    cr_expect(eq(i64, ev.occurred_at_ms, 1000));
    cr_assert(eq(sz, ev.props_count, 5));
    cr_expect(eq(str, (char *)ev.props[0].key, "call_id"));
    cr_expect(eq(str, (char *)ev.props[4].value, "150"));
    const sy_kv_t transcription[] = {{"CallSid", "CA42"}, {"To", "+13125550104"},
                                     {"TranscriptionText", "my credit card"}};
    cr_assert(eq(int, calls_twilio_event(transcription, 3, CALLS_TWILIO_TRANSCRIPTION, 2000,
                                         &ev, buf, errbuf, sizeof errbuf), SY_OK));
    cr_expect(eq(str, (char *)ev.event_id, "CA42:transcription"));
    cr_expect(eq(str, (char *)ev.text, "my credit card"));
    const sy_kv_t bad[] = {{"CallSid", "CA1"}, {"To", "client:alice"}};
    cr_expect(eq(int, calls_twilio_event(bad, 2, CALLS_TWILIO_INBOUND, 0, &ev, buf, errbuf,
                                         sizeof errbuf), SY_ERR_INVALID_RECORD));
    cr_expect_not_null(strstr(errbuf, "To 'client:alice' is not an E.164 number"), "%s", errbuf);
    cr_expect(eq(int, calls_twilio_event(bad + 1, 1, CALLS_TWILIO_INBOUND, 0, &ev, buf, errbuf,
                                         sizeof errbuf), SY_ERR_INVALID_RECORD));
}

Test(calls_click, a_token_reads_back_and_the_page_shows_the_number) {
    char token[CALLS_TOKEN_BYTES], contact[SY_ID_BYTES_MAX + 1], action[65], number[17];
    cr_assert(eq(int, calls_token_format("ann.b@x", "0187aa", "+13125550104", token), SY_OK));
    cr_expect(eq(str, token, "616e6e2e624078.0187aa.13125550104"));
    cr_assert(eq(int, calls_token_parse(token, contact, action, number), SY_OK));
    cr_expect(eq(str, contact, "ann.b@x"));
    cr_expect(eq(str, action, "0187aa"));
    cr_expect(eq(str, number, "+13125550104"));
    cr_expect(eq(int, calls_token_parse("61.0187aa.0", contact, action, number),
                 SY_ERR_INVALID_RECORD));
    cr_expect(eq(int, calls_token_parse("6.0187aa.13125550104", contact, action, number),
                 SY_ERR_INVALID_RECORD));
    cr_expect(eq(int, calls_token_parse("61.XYZ.13125550104", contact, action, number),
                 SY_ERR_INVALID_RECORD));
    cr_expect(eq(int, calls_token_format("a", "0187", "3125550104", token), SY_ERR_INVALID_ARG));
    char page[1024];
    calls_click_page("+13125550104", page, sizeof page);
    cr_expect_not_null(strstr(page, "<a href=\"tel:+13125550104\">(312) 555-0104</a>"), "%s",
                       page);
}
