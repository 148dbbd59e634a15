/* ingest_sign.c — SendGrid's ECDSA and Twilio's HMAC-SHA1 request signatures with OpenSSL
 * (ingest_sign.h). Not which requests need them (ingest_http.c). */
#include "ingest_sign.h"

#include <assert.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

/* Longest base64 text decoded: a P-256 key's DER is 91 bytes, a signature's at most 72. */
#define SIGN_BASE64_BYTES_MAX 4096

struct ingest_sign_key {
    EVP_PKEY *pkey;
};

/* Decode base64 text (whitespace and "-----" armour lines skipped) into out (out_size
 * bytes); the decoded length, or -1 when not base64 or too long. */
static long base64_decode(const char *text, unsigned char *out, size_t out_size) {
    char clean[SIGN_BASE64_BYTES_MAX];
    size_t n = 0;
    assert(text && out);
    for (const char *p = text; *p; p++) {
        if (p[0] == '-' && p[1] == '-') { /* an armour line: skip to its end */
            while (*p && *p != '\n')
                p++;
            if (!*p)
                break;
            continue;
        }
        if (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
            continue;
        if (n + 1 >= sizeof clean)
            return -1;
        clean[n++] = *p;
    }
    if (n == 0 || n % 4 != 0 || n / 4 * 3 > out_size)
        return -1;
    clean[n] = '\0';
    int len = EVP_DecodeBlock(out, (const unsigned char *)clean, (int)n);
    if (len < 0)
        return -1;
    size_t pad = (clean[n - 1] == '=') + (clean[n - 2] == '=');
    return (long)((size_t)len - pad);
}

sy_err_t ingest_sign_key_load(ingest_sign_key_t **out, const char *base64, char *errbuf,
                              size_t errbuf_size) {
    unsigned char der[SIGN_BASE64_BYTES_MAX];
    assert(out && base64);
    long len = base64_decode(base64, der, sizeof der);
    if (len <= 0) {
        sy_errf(errbuf, errbuf_size, "ingest.sendgrid.public.key: not base64");
        return SY_ERR_CONFIG;
    }
    const unsigned char *p = der;
    EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, len);
    if (!pkey || EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC || EVP_PKEY_get_bits(pkey) != 256) {
        EVP_PKEY_free(pkey);
        sy_errf(errbuf, errbuf_size, "ingest.sendgrid.public.key: not the DER of a P-256 "
                "public key (copy the verification key SendGrid shows)");
        return SY_ERR_CONFIG;
    }
    ingest_sign_key_t *key = malloc(sizeof *key);
    if (!key) {
        EVP_PKEY_free(pkey);
        return SY_ERR_NOMEM;
    }
    key->pkey = pkey;
    *out = key;
    return SY_OK;
}

void ingest_sign_key_free(ingest_sign_key_t *key) {
    if (!key)
        return;
    EVP_PKEY_free(key->pkey);
    free(key);
}

bool ingest_sign_sendgrid_verify(const ingest_sign_key_t *key, const char *signature_b64,
                                 const char *timestamp, const void *body, size_t len) {
    unsigned char sig[256];
    assert(key && body);
    if (!signature_b64 || !timestamp)
        return false;
    long sig_len = base64_decode(signature_b64, sig, sizeof sig);
    if (sig_len <= 0)
        return false;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key->pkey) == 1 &&
              EVP_DigestVerifyUpdate(ctx, timestamp, strlen(timestamp)) == 1 &&
              EVP_DigestVerifyUpdate(ctx, body, len) == 1 &&
              EVP_DigestVerifyFinal(ctx, sig, (size_t)sig_len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

static int param_order(const void *a, const void *b) {
    const ingest_param_t *pa = *(const ingest_param_t *const *)a;
    const ingest_param_t *pb = *(const ingest_param_t *const *)b;
    int c = strcmp(pa->name, pb->name);
    return c ? c : strcmp(pa->value, pb->value);
}

bool ingest_sign_twilio(const char *token, const char *url, const ingest_form_t *params,
                        char out[INGEST_SIGN_TWILIO_BYTES]) {
    const ingest_param_t *sorted[INGEST_FORM_PARAMS_MAX];
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    assert(token && url && out);
    size_t n = params ? params->count : 0, len = strlen(url);
    for (size_t i = 0; i < n; i++) {
        sorted[i] = &params->params[i];
        len += strlen(sorted[i]->name) + strlen(sorted[i]->value);
    }
    qsort(sorted, n, sizeof sorted[0], param_order);
    char *data = malloc(len + 1), *at = data;
    if (!data)
        return false;
    at = stpcpy(at, url);
    for (size_t i = 0; i < n; i++)
        at = stpcpy(stpcpy(at, sorted[i]->name), sorted[i]->value);
    bool ok = HMAC(EVP_sha1(), token, (int)strlen(token), (unsigned char *)data, len, mac,
                   &mac_len) != NULL;
    free(data);
    if (ok)
        EVP_EncodeBlock((unsigned char *)out, mac, (int)mac_len);
    return ok;
}

bool ingest_sign_twilio_verify(const char *token, const char *url,
                               const ingest_form_t *params, const char *signature) {
    char expected[INGEST_SIGN_TWILIO_BYTES];
    assert(token && url);
    return signature && ingest_sign_twilio(token, url, params, expected) &&
           ingest_sign_equal(expected, signature);
}

bool ingest_sign_equal(const char *a, const char *b) {
    assert(a && b);
    size_t la = strlen(a), lb = strlen(b);
    return la == lb && CRYPTO_memcmp(a, b, la) == 0;
}
