/* fuzz_ingest.c — fuzz target of the webhook formats of `switchyard ingest`
 * (ingest_batch.h): the first byte picks SendGrid's JSON, the JSON endpoint or one of
 * Twilio's callbacks (form body, then after a newline the callback URL's query), the rest
 * is the body; every event a parse yields is then encoded as the producer would. Not HTTP
 * nor the signatures (fixed-size inputs to OpenSSL). */
#include <stdio.h>

#include "codec.h"
#include "ingest_batch.h"
#include "fuzz.h"

/* Knows one phone number and one email address, as the profiles index would. */
static ingest_find_t fuzz_find(void *opaque, ingest_address_t kind, const char *address,
                               char *contact_id, size_t size) {
    (void)opaque;
    if (strcmp(address, kind == INGEST_ADDRESS_EMAIL ? "a@b.c" : "+1555") != 0)
        return INGEST_FIND_UNKNOWN;
    snprintf(contact_id, size, "c1");
    return INGEST_FIND_FOUND;
}

static sy_err_t fuzz_twilio(ingest_twilio_kind_t kind, const char *text, size_t len,
                            const ingest_finder_t *finder, ingest_batch_t *b, char *why,
                            size_t why_size) {
    static ingest_form_t form, query;
    const char *nl = memchr(text, '\n', len);
    size_t body_len = nl ? (size_t)(nl - text) : len;
    sy_err_t err = ingest_form_parse(b, text, body_len, &form, why, why_size);
    if (err == SY_OK)
        err = ingest_form_parse(b, nl ? nl + 1 : "", nl ? len - body_len - 1 : 0, &query, why,
                                why_size);
    if (err == SY_OK)
        err = ingest_twilio_parse(kind, &form, &query, 1000, finder, b, why, why_size);
    return err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char why[512];
    ingest_batch_t b = {0};
    codec_t *codec = NULL;
    ingest_finder_t finder = {fuzz_find, NULL};
    if (size == 0)
        return 0;
    char *text = fuzz_text_dup(data + 1, size - 1);
    if (!text || codec_open(&codec, why, sizeof why) != SY_OK)
        abort();
    size_t len = size - 1;
    sy_err_t err;
    switch (data[0] % 5) {
    case 0:
        err = ingest_sendgrid_parse(text, len, &finder, &b, why, sizeof why);
        break;
    case 1:
        err = ingest_api_parse(text, len, &b, why, sizeof why);
        break;
    default:
        err = fuzz_twilio((ingest_twilio_kind_t)(data[0] % 5 - 2), text, len, &finder, &b,
                          why, sizeof why);
        break;
    }
    for (size_t i = 0; err == SY_OK && i < b.count; i++) {
        const void *frame;
        size_t frame_len;
        (void)codec_encode_event(codec, &b.events[i], &frame, &frame_len, why, sizeof why);
    }
    ingest_batch_deinit(&b);
    codec_close(codec);
    free(text);
    return 0;
}
