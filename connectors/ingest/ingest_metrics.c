/* ingest_metrics.c — the counters of `switchyard ingest` and its /metrics page in the
 * Prometheus text format (written with admin_expo.h). Not HTTP. */
#include <assert.h>
#include <stdio.h>

#include "ingest_int.h"

const unsigned ingest_codes[INGEST_CODES_COUNT] = {200, 302, 400, 401, 403, 404,
                                                   405, 413, 500, 503, 0};

static const char *const endpoint_names[INGEST_EP__COUNT] = {
    "sendgrid", "twilio_message_status", "twilio_message_inbound", "twilio_voice_status",
    "events", "twilio_call_inbound", "twilio_call_status", "twilio_call_transcription",
    "click_to_call", "other",
};

void ingest_metrics_request(ingest_metrics_t *m, ingest_endpoint_t ep, unsigned code) {
    size_t i = 0;
    assert(m && ep < INGEST_EP__COUNT);
    while (i + 1 < INGEST_CODES_COUNT && ingest_codes[i] != code)
        i++; /* the last slot counts any other code */
    atomic_fetch_add(&m->requests[ep][i], 1);
}

static void render_requests(ingest_metrics_t *m, admin_buf_t *b) {
    static const char *const names[] = {"endpoint", "code"};
    char code[16];
    assert(m && b);
    admin_expo_family(b, "switchyard_ingest_requests_total", ADMIN_COUNTER,
                      "Requests answered, by endpoint and status code (other: any code "
                      "not listed).");
    for (size_t e = 0; e < INGEST_EP__COUNT; e++)
        for (size_t i = 0; i < INGEST_CODES_COUNT; i++) {
            unsigned long long n = atomic_load(&m->requests[e][i]);
            if (n == 0)
                continue;
            if (ingest_codes[i])
                snprintf(code, sizeof code, "%u", ingest_codes[i]);
            else
                snprintf(code, sizeof code, "other");
            const char *values[] = {endpoint_names[e], code};
            admin_expo_sample(b, "switchyard_ingest_requests_total", "", names, values, 2,
                              (double)n);
        }
}

static void render_events(ingest_metrics_t *m, admin_buf_t *b) {
    static const char *const names[] = {"channel", "type"};
    assert(m && b);
    admin_expo_family(b, "switchyard_ingest_events_total", ADMIN_COUNTER,
                      "Engagement events the broker acknowledged, by channel and type.");
    for (size_t ch = 0; ch < SY_CHANNEL__COUNT; ch++)
        for (size_t t = 0; t < SY_EVENT_TYPE__COUNT; t++) {
            unsigned long long n = atomic_load(&m->events[ch][t]);
            const char *values[] = {sy_channel_name((sy_channel_t)ch),
                                    sy_event_type_name((sy_event_type_t)t)};
            if (n > 0)
                admin_expo_sample(b, "switchyard_ingest_events_total", "", names, values, 2,
                                  (double)n);
        }
}

static void render_per_endpoint(admin_buf_t *b, const char *name, const char *help,
                                atomic_ullong *counts) {
    static const char *const names[] = {"endpoint"};
    assert(b && name && help && counts);
    admin_expo_family(b, name, ADMIN_COUNTER, help);
    for (size_t e = 0; e < INGEST_EP__COUNT - 1; e++) {
        const char *values[] = {endpoint_names[e]};
        admin_expo_sample(b, name, "", names, values, 1, (double)atomic_load(&counts[e]));
    }
}

void ingest_metrics_render(ingest_t *in, admin_buf_t *b) {
    assert(in && b);
    render_requests(&in->metrics, b);
    render_events(&in->metrics, b);
    render_per_endpoint(b, "switchyard_ingest_skipped_total",
                        "Provider events that map to no engagement event (docs/connectors.md).",
                        in->metrics.skipped);
    render_per_endpoint(b, "switchyard_ingest_unmatched_total",
                        "Provider events acknowledged but dropped: no contact found.",
                        in->metrics.unmatched);
    admin_expo_family(b, "switchyard_ingest_profiles_addresses", ADMIN_GAUGE,
                      "Email addresses and phone numbers indexed from the profiles topic.");
    admin_expo_sample(b, "switchyard_ingest_profiles_addresses", "", NULL, NULL, 0,
                      (double)ingest_profiles_count(in->profiles));
    admin_expo_family(b, "switchyard_ingest_profiles_caught_up", ADMIN_GAUGE,
                      "1 once the profiles topic was read to its end.");
    admin_expo_sample(b, "switchyard_ingest_profiles_caught_up", "", NULL, NULL, 0,
                      ingest_profiles_caught_up(in->profiles) ? 1 : 0);
}
