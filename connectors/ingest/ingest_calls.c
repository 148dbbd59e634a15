/* ingest_calls.c — call tracking's requests as events of an ingest batch: a Twilio Voice
 * callback's call.inbound (calls_twilio_event, its strings moved into the batch's arena),
 * a click-to-call link's email.clicked, and the TwiML answering a call. Not the HTTP
 * routing or the signature check (ingest_http.c), not the producing (ingest_produce.c). */
#include "ingest_calls.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

sy_err_t ingest_calls_twilio(calls_twilio_kind_t kind, const ingest_form_t *form,
                             int64_t now_ms, ingest_batch_t *b, char *errbuf,
                             size_t errbuf_size) {
    sy_kv_t fields[INGEST_FORM_PARAMS_MAX];
    char buf[CALLS_TWILIO_BUF_BYTES];
    sy_event_t ev;
    sy_err_t err;
    assert(form && b && form->count <= INGEST_FORM_PARAMS_MAX);
    for (size_t i = 0; i < form->count; i++)
        fields[i] = (sy_kv_t){form->params[i].name, form->params[i].value};
    err = calls_twilio_event(fields, form->count, kind, now_ms, &ev, buf, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    sy_event_t *e = ingest_batch_add(b, &err);
    if (!e)
        return err;
    *e = ev; /* props and text point into the form, which lives in the arena */
    e->event_id = ingest_arena_strdup(&b->arena, ev.event_id);
    e->contact_id = ingest_arena_strdup(&b->arena, ev.contact_id);
    return e->event_id && e->contact_id ? SY_OK : SY_ERR_NOMEM;
}

sy_err_t ingest_calls_click(const char *token, const char *user_agent, int64_t now_ms,
                            ingest_batch_t *b, calls_device_t *device, char *e164,
                            char *errbuf, size_t errbuf_size) {
    char contact[SY_ID_BYTES_MAX + 1], action[65];
    sy_err_t err;
    assert(token && b && device && e164);
    if (calls_token_parse(token, contact, action, e164) != SY_OK) {
        sy_errf(errbuf, errbuf_size, "'%.80s' is not a click-to-call token: hex of the "
                "contact id, '.', the action id (hex), '.', the number's digits", token);
        return SY_ERR_INVALID_RECORD;
    }
    *device = calls_ua_classify(user_agent);
    sy_event_t *e = ingest_batch_add(b, &err);
    if (!e)
        return err;
    e->event_id = ingest_arena_printf(&b->arena, "call-click:%s:%lld", action,
                                      (long long)now_ms);
    e->contact_id = ingest_arena_strdup(&b->arena, contact);
    e->message_id = ingest_arena_strdup(&b->arena, action);
    e->occurred_at_ms = now_ms;
    e->channel = SY_CHANNEL_EMAIL;
    e->type = SY_EVENT_CLICKED;
    e->link = "call";
    if (!e->event_id || !e->contact_id || !e->message_id ||
        !ingest_batch_prop(b, e, "device", calls_device_name(*device)) ||
        !ingest_batch_prop(b, e, "number", e164))
        return SY_ERR_NOMEM;
    return SY_OK;
}

void ingest_calls_twiml(const char *forward, char *out, size_t size) {
    assert(out && size > 0);
    if (forward && sy_phone_e164_valid(forward))
        snprintf(out, size, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                 "<Response><Dial>%s</Dial></Response>", forward);
    else
        snprintf(out, size, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>");
}
