/* calls_twilio.c — Twilio Voice's callbacks as call.inbound events, in Twilio's own field
 * names. Each callback of a call is one event, keyed "call:<To>" so that it reaches the
 * partition owning the number's leases (engine_calls_inbound.c), and identified by the
 * call and the callback, so a retried webhook is a duplicate. Also the click-to-call
 * token and page of GET /c/<token>. */
#include "calls_http.h"

#include <stdio.h>
#include <string.h>

#include "sy_phone.h"

static const char *field(const sy_kv_t *fields, size_t count, const char *name) {
    for (size_t i = 0; i < count; i++)
        if (fields[i].key && strcmp(fields[i].key, name) == 0)
            return fields[i].value;
    return NULL;
}

sy_err_t calls_twilio_event(const sy_kv_t *fields, size_t count, calls_twilio_kind_t kind,
                            int64_t now_ms, sy_event_t *out, char *buf, char *errbuf,
                            size_t errbuf_size) {
    static const char *const kinds[] = {"inbound", "status", "transcription"};
    const char *sid = field(fields, count, "CallSid"), *to = field(fields, count, "To");
    if (!sid || !*sid || strlen(sid) > 64) {
        snprintf(errbuf, errbuf_size, "Twilio callback without a CallSid");
        return SY_ERR_INVALID_RECORD;
    }
    if (!sy_phone_e164_valid(to)) {
        snprintf(errbuf, errbuf_size, "Twilio callback %s: To '%s' is not an E.164 number",
                 sid, to ? to : "");
        return SY_ERR_INVALID_RECORD;
    }
    int n = snprintf(buf, CALLS_TWILIO_BUF_BYTES, "call:%s", to);
    snprintf(buf + n + 1, CALLS_TWILIO_BUF_BYTES - (size_t)n - 1, "%s:%s", sid, kinds[kind]);
    memset(out, 0, sizeof *out);
    *out = (sy_event_t){.event_id = buf + n + 1, .contact_id = buf, .occurred_at_ms = now_ms,
                        .channel = SY_CHANNEL_CALL, .type = SY_EVENT_INBOUND,
                        .text = field(fields, count, "TranscriptionText"),
                        .bounce = SY_BOUNCE_NONE};
    const char *props[][2] = {{"call_id", sid}, {"from", field(fields, count, "From")},
                              {"to", to}, {"status", field(fields, count, "CallStatus")},
                              {"duration", field(fields, count, "CallDuration")}};
    for (size_t i = 0; i < sizeof props / sizeof props[0]; i++)
        if (props[i][1] && props[i][1][0])
            out->props[out->props_count++] = (sy_kv_t){props[i][0], props[i][1]};
    return SY_OK;
}

sy_err_t calls_token_format(const char *contact_id, const char *action_id, const char *e164,
                            char out[CALLS_TOKEN_BYTES]) {
    size_t clen = strlen(contact_id), alen = strlen(action_id), used = 0;
    if (clen == 0 || clen > SY_ID_BYTES_MAX || alen == 0 || alen > 64 ||
        strspn(action_id, "0123456789abcdef") != alen || !sy_phone_e164_valid(e164))
        return SY_ERR_INVALID_ARG;
    for (size_t i = 0; i < clen; i++)
        used += (size_t)snprintf(out + used, CALLS_TOKEN_BYTES - used, "%02x",
                                 (unsigned char)contact_id[i]);
    snprintf(out + used, CALLS_TOKEN_BYTES - used, ".%s.%s", action_id, e164 + 1);
    return SY_OK;
}

static int hex_value(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

sy_err_t calls_token_parse(const char *token, char *contact_id, char *action_id, char *e164) {
    const char *dot1 = strchr(token, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    size_t hlen = dot1 ? (size_t)(dot1 - token) : 0, alen = dot2 ? (size_t)(dot2 - dot1 - 1) : 0;
    if (!dot2 || hlen == 0 || hlen % 2 || hlen > 2 * SY_ID_BYTES_MAX || alen == 0 ||
        alen > 64 || strspn(dot1 + 1, "0123456789abcdef") != alen || strlen(dot2 + 1) > 15)
        return SY_ERR_INVALID_RECORD;
    for (size_t i = 0; i < hlen; i += 2) {
        int hi = hex_value(token[i]), lo = hex_value(token[i + 1]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
            return SY_ERR_INVALID_RECORD;
        contact_id[i / 2] = (char)(hi << 4 | lo);
    }
    contact_id[hlen / 2] = '\0';
    memcpy(action_id, dot1 + 1, alen);
    action_id[alen] = '\0';
    snprintf(e164, SY_PHONE_E164_BYTES, "+%s", dot2 + 1);
    return sy_phone_e164_valid(e164) ? SY_OK : SY_ERR_INVALID_RECORD;
}

size_t calls_click_page(const char *e164, char *out, size_t out_size) {
    char display[SY_PHONE_DISPLAY_BYTES], tel[SY_PHONE_TEL_BYTES];
    sy_phone_display(e164, display);
    sy_phone_tel_uri(e164, tel);
    int n = snprintf(out, out_size,
                     "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                     "<meta name=\"viewport\" content=\"width=device-width\">"
                     "<title>Call us</title></head>\n<body><p>Call us at "
                     "<a href=\"%s\">%s</a></p></body></html>\n", tel, display);
    return n < 0 ? 0 : (size_t)n;
}
