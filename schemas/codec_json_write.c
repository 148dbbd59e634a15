/* codec_json_write.c — the JSON line of each output record of simulate and replay (routing
 * decision, action command, contact update, conversion, dead letter), written straight from
 * its struct into a buffer the codec reuses. The text is codec_to_json's for the frame the
 * record's encoder writes, byte for byte (test_codec_json.c compares them), and a record is
 * refused exactly as that encoder refuses it (json_checked says how), without encoding the
 * usual record. The parts a producer prepared (codec_part.h) and the enums' names are
 * copied as made once. Records from outside go to codec_to_json. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_int.h"
#include "codec_rules_usual.h"
#include "codec_wire.h"
#include "sy_time.h"

/* Bytes a record's text takes at most besides its strings, bytes and map entries: its keys
 * (the action's, the longest, take under 300) and at most 32 for each of its numbers, times,
 * enums and nulls (no record has 20 of them). */
#define JSON_FIXED_BYTES 1024

/* The most a record's text bound (its need) may be for json_checked to settle its encoder's
 * verdict without it: the strings of such a record take under half of SY_FRAME_BYTES_MAX,
 * and its varints, branches and numbers (a few hundred, at most 10 bytes each) far less
 * than the other half. */
#define JSON_SETTLED_NEED_MAX (SY_FRAME_BYTES_MAX / 2)

/* The first size of codec->json_out: a usual line is 200 to 500 bytes. It doubles from
 * there as a record's bound needs: at most JSON_SETTLED_NEED_MAX, or for a record its
 * encoder accepted first (json_checked), 6 bytes per byte of a frame within
 * SY_FRAME_BYTES_MAX and JSON_FIXED_BYTES. */
#define JSON_OUT_BYTES_INITIAL 4096

/* A string of n bytes takes at most 6 n + 2 (every byte \u00xx, and the quotes); bytes as
 * base64 take (n + 2) / 3 * 4 + 2, no more. */
static inline size_t json_string_bound(size_t n) {
    /* no assert: arithmetic on the length of a string held in memory */
    return 6 * n + 2;
}

static inline size_t json_opt_len(const char *s) {
    /* no assert: a one-line strlen of an optional string */
    return s ? strlen(s) : 0;
}

/* Whether a record that passed its encoder's rules (codec_rules_*, the encoder's first
 * step, with its messages) must go through the encoder itself for its verdict: when its
 * text bound is over JSON_SETTLED_NEED_MAX (the frame might be over SY_FRAME_BYTES_MAX), or
 * a map has two entries or more (keys to compare), before its text is written; and after
 * it, when a string had a byte that is not ASCII (UTF-8 to check: json_put_string sets
 * high). A record with none of those passes its encoder, which is not run. */
static bool json_checked(size_t need, size_t map_entries) {
    /* no assert: a pure test */
    return need > JSON_SETTLED_NEED_MAX || map_entries >= 2;
}

/* The text bound of a record with count strings of lengths n (and no map). */
static size_t json_need(const size_t *n, size_t count) {
    size_t need = JSON_FIXED_BYTES;
    assert(n);
    for (size_t i = 0; i < count; i++)
        need += json_string_bound(n[i]);
    return need;
}

/* codec->json_out with room for need bytes and a NUL; NULL when memory ran out. */
static char *json_start(codec_t *codec, size_t need) {
    assert(codec->json_out || codec->json_out_size == 0);
    if (need < codec->json_out_size)
        return codec->json_out;
    size_t size = codec->json_out_size ? codec->json_out_size : JSON_OUT_BYTES_INITIAL;
    while (size <= need)
        size *= 2;
    char *grown = realloc(codec->json_out, size);
    if (!grown)
        return NULL;
    codec->json_out = grown;
    codec->json_out_size = size;
    return grown;
}

/* The text ends at o: NUL-terminate it and hand it out. */
static sy_err_t json_finish(codec_t *codec, char *o, size_t need, const char **json,
                            size_t *json_len) {
    size_t len = (size_t)(o - codec->json_out);
    assert(len <= need && need < codec->json_out_size); /* the bound held */
    *o = '\0';
    *json = codec->json_out;
    *json_len = len;
    return SY_OK;
}

static sy_err_t json_nomem(char *errbuf, size_t errbuf_size) {
    /* no assert: a one-line report */
    return codec_fail(SY_ERR_NOMEM, errbuf, errbuf_size, "rendering JSON: out of memory");
}

/* A literal key or text at o; the cursor after it. */
#define JSON_LIT(o, s) (memcpy((o), (s), sizeof(s) - 1), (o) + sizeof(s) - 1)

/* Words json_put_string copies as they are: ASCII (it notes other bytes, for json_checked),
 * none under 0x20, no quote, no backslash (those it escapes). Since a byte over 0x7f fails
 * anyway, codec_word_has_below's "& ~v" is not needed: the lowest byte under c borrows into
 * its high bit from nothing below it, and v's own high bits flag the rest. */
static bool json_plain_word(uint64_t v) {
    /* no assert: a pure word test */
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
    uint64_t quote = v ^ (ones * '"'), backslash = v ^ (ones * '\\');
    return (((v - ones * 0x20) | (quote - ones) | (backslash - ones) | v) & highs) == 0;
}

/* Bytes a JSON string writes as they are: none under 0x20, no quote, no backslash. */
static bool json_plain_byte(uint8_t c) {
    /* no assert: a pure byte test */
    return c >= 0x20 && c != '"' && c != '\\';
}

/* The byte c, which needs it, escaped at o; the cursor after it. */
static char *json_put_escape(char *o, unsigned char c) {
    static const char hex[] = "0123456789abcdef";
    assert(!json_plain_byte(c));
    const char *two = c == '\b' ? "\\b" : c == '\n' ? "\\n" : c == '\r' ? "\\r"
                    : c == '\t' ? "\\t" : c == '\f' ? "\\f" : c == '"' ? "\\\""
                    : c == '\\' ? "\\\\" : NULL;
    if (two) {
        o[0] = two[0];
        o[1] = two[1];
        return o + 2;
    }
    memcpy(o, "\\u00", 4);
    o[4] = hex[c >> 4];
    o[5] = hex[c & 15];
    return o + 6;
}

/* s[0..n) as a JSON string at o (room for json_string_bound(n)), escaped as json-c escapes
 * with its "no slash escape" flag: the two-letter escapes for \b \n \r \t \f " and
 * backslash, \u00xx for other bytes under 0x20; '/', 0x7f and UTF-8 as they are (*high set
 * when a byte is over 0x7f, never cleared). Copied eight bytes at a time while they are
 * plain ASCII, each word stored before it is tested (one that is not is written again,
 * byte by byte); the last 4 to 8 bytes as one word overlapping what was copied, as
 * codec_word_prefix scans; never past o + n. The cursor after it. */
static char *json_put_string(char *o, const char *s, size_t n, bool *high) {
    size_t i = 0;
    uint64_t v;
    uint32_t lo, hi;
    assert((s || n == 0) && high);
    *o++ = '"';
    for (; i + 8 <= n; i += 8, o += 8) {
        memcpy(&v, s + i, sizeof v);
        memcpy(o, &v, sizeof v);
        if (!json_plain_word(v))
            break;
    }
    if (i + 8 > n && i < n && n >= 4) { /* every whole word plain, a tail left */
        if (n >= 8) {
            memcpy(&v, s + n - 8, sizeof v);
            memcpy(o + (n - i) - 8, &v, sizeof v);
        } else {
            memcpy(&lo, s, sizeof lo);
            memcpy(&hi, s + n - 4, sizeof hi);
            memcpy(o, &lo, sizeof lo);
            memcpy(o + n - 4, &hi, sizeof hi);
            v = (uint64_t)hi << 32 | lo;
        }
        if (json_plain_word(v)) {
            o += n - i;
            *o++ = '"';
            return o;
        }
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        *high |= c > 0x7f;
        if (json_plain_byte(c))
            *o++ = (char)c;
        else
            o = json_put_escape(o, c);
    }
    *o++ = '"';
    return o;
}

/* ["null", string]: null for NULL, else the string of n bytes. */
static char *json_put_opt_string(char *o, const char *s, size_t n, bool *high) {
    /* no assert: a branch and json_put_string, which asserts */
    return s ? json_put_string(o, s, n, high) : JSON_LIT(o, "null");
}

/* An enum as codec_to_json shows it: its lower-case name (records.h's tables, ASCII). */
static char *json_put_name(char *o, const char *name) {
    bool high = false;
    assert(name); /* the rules refused a value out of range */
    return json_put_string(o, name, strlen(name), &high);
}

/* Each cause's and channel's name as json_put_name writes it, into codec, once: a line
 * then copies its enum's text (json_put_known). */
static void json_names_make(codec_t *codec) {
    char text[CODEC_JSON_NAME_BYTES + 8];
    assert(codec && !codec->json_names_set);
    for (int c = 0; c < SY_CAUSE__COUNT; c++) {
        size_t len = (size_t)(json_put_name(text, sy_cause_name((sy_cause_t)c)) - text);
        assert(len <= CODEC_JSON_NAME_BYTES); /* records.c's names are short and plain */
        memcpy(codec->json_cause[c], text, len);
        codec->json_cause_len[c] = (uint8_t)len;
    }
    for (int c = 0; c < SY_CHANNEL__COUNT; c++) {
        size_t len = (size_t)(json_put_name(text, sy_channel_name((sy_channel_t)c)) - text);
        assert(len <= CODEC_JSON_NAME_BYTES);
        memcpy(codec->json_channel[c], text, len);
        codec->json_channel_len[c] = (uint8_t)len;
    }
    codec->json_names_set = true;
}

/* An enum's text of len bytes made by json_names_make, at o: its whole room copied (one
 * fixed-size store, no call), which the line's bound allows and the text after it
 * overwrites. The cursor after the text. */
static char *json_put_known(char *o, const char *text, size_t len) {
    assert(len <= CODEC_JSON_NAME_BYTES);
    memcpy(o, text, CODEC_JSON_NAME_BYTES);
    return o + len;
}

/* v in decimal at o, digits written in place (most are one: a version, an occurrence). */
static char *json_put_int(char *o, int64_t v) {
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    size_t len = 1;
    assert(o);
    if (v < 0)
        *o++ = '-';
    for (uint64_t t = m; t >= 10; t /= 10)
        len++;
    for (char *p = o + len; p > o; m /= 10)
        *--p = (char)('0' + m % 10);
    return o + len;
}

/* A journey's id of n bytes and its version, as every output record has them: the id's
 * JSON string, then ,"journey_version": and the version. Written here, and once per
 * journey into its part (codec_json_part_text). */
static char *json_put_journey(char *o, const char *id, size_t n, int32_t version,
                              bool *high) {
    /* no assert: json_put_string asserts */
    o = json_put_string(o, id, n, high);
    o = JSON_LIT(o, ",\"journey_version\":");
    return json_put_int(o, version);
}

size_t codec_json_part_text(char *o, const char *s, size_t len, const int32_t *version) {
    bool high = false; /* the part's maker checked s's UTF-8 */
    assert(o && s);
    char *end = version ? json_put_journey(o, s, len, *version, &high)
                        : json_put_string(o, s, len, &high);
    return (size_t)(end - o);
}

/* A part's text (codec_part.c) at o: copied inline (codec_wire_copy_7bit; its ASCII test is
 * not needed), not by a memcpy call, since a part is a few words. A part's string passed
 * the UTF-8 check when it was made, so it gives json_checked nothing to check (no high). */
__attribute__((always_inline))
static inline char *json_put_part(char *o, const sy_part_t *p) {
    /* no assert: the copy of every part; codec_part_given or codec_part_journey asserted
     * that the record's field is p's */
    (void)codec_wire_copy_7bit((uint8_t *)o, p->json, p->json_len);
    return o + p->json_len;
}

/* A string field s of n bytes: from its part p when the record gives one, else
 * json_put_string (or, opt, json_put_opt_string). */
__attribute__((always_inline))
static inline char *json_put_field(char *o, const sy_part_t *p, const char *s, size_t n,
                                   bool opt, bool *high) {
    /* no assert: codec_part_given asserts that p is s's; its length says it is given */
    if (codec_part_given(p, s) != 0)
        return json_put_part(o, p);
    return opt ? json_put_opt_string(o, s, n, high) : json_put_string(o, s, n, high);
}

/* The journey's id and version: from the journey part p when given. */
__attribute__((always_inline))
static inline char *json_put_journey_field(char *o, const sy_part_t *p, const char *id,
                                           size_t n, int32_t version, bool *high) {
    /* no assert: codec_part_journey asserts that p is id's and version's */
    if (codec_part_journey(p, id, version))
        return json_put_part(o, p);
    return json_put_journey(o, id, n, version, high);
}

/* v as exactly n decimal digits, zero-padded, at o (n at most 4: no division wider than
 * 32 bits). */
static char *json_digits(char *o, uint32_t v, int n) {
    assert(n > 0 && n <= 4 && v < 10000);
    for (int i = n - 1; i >= 0; i--, v /= 10)
        o[i] = (char)('0' + v % 10);
    return o + n;
}

/* The quoted date of day days (since the epoch), "YYYY-MM-DDT, into codec's one-day
 * cache: the outputs of a run come in time order, most of them on the day before. */
static const char *json_date(codec_t *codec, int64_t days) {
    int64_t y;
    int m, d;
    assert(codec);
    if (codec->json_date_set && codec->json_date_days == days)
        return codec->json_date;
    sy_time_civil_from_days(days, &y, &m, &d);
    assert(y >= 0 && y <= 9999); /* the instant bounds */
    char *o = codec->json_date;
    *o++ = '"';
    o = json_digits(o, (uint32_t)y, 4);
    *o++ = '-';
    o = json_digits(o, (uint32_t)m, 2);
    *o++ = '-';
    o = json_digits(o, (uint32_t)d, 2);
    *o++ = 'T';
    codec->json_date_days = days;
    codec->json_date_set = true;
    return codec->json_date;
}

/* A timestamp-millis field: within the instant bounds (years 0000 to 9999) as
 * sy_time_format_ms writes it, "YYYY-MM-DDTHH:MM:SS.mmmZ", quoted, without printf; else
 * the number. */
static char *json_put_time(codec_t *codec, char *o, int64_t ms) {
    const int64_t day_ms = INT64_C(86400000);
    assert(o);
    if (!sy_time_in_bounds(ms))
        return json_put_int(o, ms);
    int64_t days = ms / day_ms, rest = ms % day_ms;
    if (rest < 0) {
        rest += day_ms;
        days--;
    }
    uint32_t t = (uint32_t)rest; /* under a day: 32 bits */
    memcpy(o, json_date(codec, days), CODEC_JSON_DATE_BYTES);
    o += CODEC_JSON_DATE_BYTES;
    o = json_digits(o, t / 3600000, 2);
    *o++ = ':';
    o = json_digits(o, t / 60000 % 60, 2);
    *o++ = ':';
    o = json_digits(o, t / 1000 % 60, 2);
    *o++ = '.';
    o = json_digits(o, t % 1000, 3);
    *o++ = 'Z';
    *o++ = '"';
    return o;
}

/* The shortest of %.15g and %.17g that reads back as d; null when not finite. */
static char *json_put_double(char *o, double d) {
    char text[32];
    assert(o);
    if (!isfinite(d))
        return JSON_LIT(o, "null");
    snprintf(text, sizeof text, "%.15g", d);
    if (strtod(text, NULL) != d)
        snprintf(text, sizeof text, "%.17g", d);
    size_t n = strlen(text);
    memcpy(o, text, n);
    return o + n;
}

/* ["null", bytes]: null for NULL, else RFC 4648 base64 with padding, quoted. */
static char *json_put_opt_base64(char *o, const uint8_t *p, size_t n) {
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    assert(o);
    if (!p)
        return JSON_LIT(o, "null");
    *o++ = '"';
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        *o++ = alphabet[v >> 18 & 63];
        *o++ = alphabet[v >> 12 & 63];
        *o++ = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
        *o++ = i + 2 < n ? alphabet[v & 63] : '=';
    }
    *o++ = '"';
    return o;
}

/* The decision's path, after its ids (CODEC_DECISION_*) in one array of lengths. */
enum { JSON_DECISION_PATH = CODEC_DECISION_IDS, JSON_DECISION_STRINGS };

/* The text of a decision that passed its rules; n: the lengths of its strings. */
static char *json_decision_text(codec_t *codec, char *o, const sy_decision_t *d,
                                const size_t *n, bool *high) {
    assert(d && n);
    o = JSON_LIT(o, "{\"schema\":\"RoutingDecision\",\"contact_id\":");
    o = json_put_string(o, d->contact_id, n[CODEC_DECISION_CONTACT_ID], high);
    o = JSON_LIT(o, ",\"journey_id\":");
    o = json_put_journey_field(o, d->journey_part, d->journey_id,
                               n[CODEC_DECISION_JOURNEY_ID], d->journey_version, high);
    o = JSON_LIT(o, ",\"from_node\":");
    o = json_put_field(o, d->from_part, d->from_node, n[CODEC_DECISION_FROM_NODE], true, high);
    o = JSON_LIT(o, ",\"to_node\":");
    o = json_put_field(o, d->to_part, d->to_node, n[CODEC_DECISION_TO_NODE], false, high);
    o = JSON_LIT(o, ",\"path\":");
    o = json_put_opt_string(o, d->path, n[JSON_DECISION_PATH], high);
    o = JSON_LIT(o, ",\"cause\":");
    o = json_put_known(o, codec->json_cause[d->cause], codec->json_cause_len[d->cause]);
    o = JSON_LIT(o, ",\"cause_event_id\":");
    o = json_put_opt_string(o, d->cause_event_id, n[CODEC_DECISION_CAUSE_EVENT_ID], high);
    o = JSON_LIT(o, ",\"decided_at\":");
    o = json_put_time(codec, o, d->decided_at_ms);
    *o++ = '}';
    return o;
}

/* The action's strings besides its ids (CODEC_ACTION_*), after them in one array. */
enum {
    JSON_ACTION_TEMPLATE_ID = CODEC_ACTION_IDS,
    JSON_ACTION_TRACKING_NUMBER,
    JSON_ACTION_TRACKING_DISPLAY,
    JSON_ACTION_TRACKING_TEL,
    JSON_ACTION_TRACKING_CTA,
    JSON_ACTION_STRINGS
};

/* The params map, {"key":"value",...} in their order (the encoder refuses repeated keys). */
static char *json_put_params(char *o, const sy_kv_t *kvs, size_t count, bool *high) {
    assert(kvs || count == 0);
    *o++ = '{';
    for (size_t i = 0; i < count; i++) {
        if (i > 0)
            *o++ = ',';
        o = json_put_string(o, kvs[i].key, strlen(kvs[i].key), high);
        *o++ = ':';
        o = json_put_string(o, kvs[i].value, strlen(kvs[i].value), high);
    }
    *o++ = '}';
    return o;
}

/* The text of an action that passed its rules; n: the lengths of its strings. */
static char *json_action_text(codec_t *codec, char *o, const sy_action_t *a, const size_t *n,
                              bool *high) {
    assert(a->params_count <= SY_ACTION_PARAMS_MAX);
    o = JSON_LIT(o, "{\"schema\":\"ActionCommand\",\"action_id\":");
    o = json_put_string(o, a->action_id, n[CODEC_ACTION_ACTION_ID], high);
    o = JSON_LIT(o, ",\"contact_id\":");
    o = json_put_string(o, a->contact_id, n[CODEC_ACTION_CONTACT_ID], high);
    o = JSON_LIT(o, ",\"channel\":");
    o = json_put_known(o, codec->json_channel[a->channel],
                       codec->json_channel_len[a->channel]);
    o = JSON_LIT(o, ",\"template_id\":");
    o = json_put_field(o, a->template_part, a->template_id, n[JSON_ACTION_TEMPLATE_ID], false,
                       high);
    o = JSON_LIT(o, ",\"not_before\":");
    o = json_put_time(codec, o, a->not_before_ms);
    o = JSON_LIT(o, ",\"journey_id\":");
    o = json_put_journey_field(o, a->journey_part, a->journey_id, n[CODEC_ACTION_JOURNEY_ID],
                               a->journey_version, high);
    o = JSON_LIT(o, ",\"node_id\":");
    o = json_put_field(o, a->node_part, a->node_id, n[CODEC_ACTION_NODE_ID], false, high);
    o = JSON_LIT(o, ",\"occurrence\":");
    o = json_put_int(o, a->occurrence);
    o = JSON_LIT(o, ",\"tracking_number\":");
    o = json_put_opt_string(o, a->tracking_number, n[JSON_ACTION_TRACKING_NUMBER], high);
    o = JSON_LIT(o, ",\"params\":");
    o = json_put_params(o, a->params, a->params_count, high);
    o = JSON_LIT(o, ",\"tracking_display\":");
    o = json_put_opt_string(o, a->tracking_display, n[JSON_ACTION_TRACKING_DISPLAY], high);
    o = JSON_LIT(o, ",\"tracking_tel\":");
    o = json_put_opt_string(o, a->tracking_tel, n[JSON_ACTION_TRACKING_TEL], high);
    o = JSON_LIT(o, ",\"tracking_cta\":");
    o = json_put_opt_string(o, a->tracking_cta, n[JSON_ACTION_TRACKING_CTA], high);
    o = JSON_LIT(o, ",\"tracking_fallback\":"); /* null without a number, as encoded */
    if (!a->tracking_number)
        return JSON_LIT(o, "null}");
    return a->tracking_fallback ? JSON_LIT(o, "true}") : JSON_LIT(o, "false}");
}

/* The text bound of an action that passed its rules, measuring the strings besides its ids
 * into n. */
static size_t json_action_need(const sy_action_t *a, size_t *n) {
    assert(a->params_count <= SY_ACTION_PARAMS_MAX);
    /* the rules refuse a NULL template */
    n[JSON_ACTION_TEMPLATE_ID] = codec_part_len(a->template_part, a->template_id);
    n[JSON_ACTION_TRACKING_NUMBER] = json_opt_len(a->tracking_number);
    n[JSON_ACTION_TRACKING_DISPLAY] = json_opt_len(a->tracking_display);
    n[JSON_ACTION_TRACKING_TEL] = json_opt_len(a->tracking_tel);
    n[JSON_ACTION_TRACKING_CTA] = json_opt_len(a->tracking_cta);
    size_t need = json_need(n, JSON_ACTION_STRINGS);
    for (size_t i = 0; i < a->params_count; i++) /* the two strings, ',' and ':' */
        need += json_string_bound(strlen(a->params[i].key)) +
                json_string_bound(strlen(a->params[i].value)) + 2;
    return need;
}

/* The text of a contact update that passed its rules; n: the lengths of its strings. */
static char *json_contact_update_text(codec_t *codec, char *o, const sy_contact_update_t *u,
                                      const size_t *n, bool *high) {
    assert(u && n);
    o = JSON_LIT(o, "{\"schema\":\"ContactUpdate\",\"contact_id\":");
    o = json_put_string(o, u->contact_id, n[0], high);
    o = JSON_LIT(o, ",\"journey_id\":");
    o = json_put_journey(o, u->journey_id, n[1], u->journey_version, high);
    o = JSON_LIT(o, ",\"node_id\":");
    o = json_put_string(o, u->node_id, n[2], high);
    o = JSON_LIT(o, ",\"op\":");
    o = json_put_name(o, sy_update_op_name(u->op));
    o = JSON_LIT(o, ",\"name\":");
    o = json_put_string(o, u->name, n[3], high);
    o = JSON_LIT(o, ",\"value\":");
    o = json_put_opt_string(o, u->value, n[4], high);
    o = JSON_LIT(o, ",\"at\":");
    o = json_put_time(codec, o, u->at_ms);
    *o++ = '}';
    return o;
}

/* The text of a conversion that passed its rules; n: the lengths of its eight strings. */
static char *json_conversion_text(codec_t *codec, char *o, const sy_conversion_t *c,
                                  const size_t *n, bool *high) {
    assert(c && n);
    o = JSON_LIT(o, "{\"schema\":\"Conversion\",\"contact_id\":");
    o = json_put_string(o, c->contact_id, n[0], high);
    o = JSON_LIT(o, ",\"journey_id\":");
    o = json_put_journey(o, c->journey_id, n[1], c->journey_version, high);
    o = JSON_LIT(o, ",\"node_id\":");
    o = json_put_string(o, c->node_id, n[2], high);
    o = JSON_LIT(o, ",\"action_id\":");
    o = json_put_string(o, c->action_id, n[3], high);
    o = JSON_LIT(o, ",\"rule\":");
    o = json_put_string(o, c->rule, n[4], high);
    o = JSON_LIT(o, ",\"value\":");
    o = json_put_double(o, c->value);
    o = JSON_LIT(o, ",\"currency\":");
    o = json_put_string(o, c->currency, n[5], high);
    o = JSON_LIT(o, ",\"call_id\":");
    o = json_put_string(o, c->call_id, n[6], high);
    o = JSON_LIT(o, ",\"tracking_number\":");
    o = json_put_string(o, c->tracking_number, n[7], high);
    o = JSON_LIT(o, ",\"converted_at\":");
    o = json_put_time(codec, o, c->converted_at_ms);
    *o++ = '}';
    return o;
}

/* The text of a dead letter that passed its rules; n: the lengths of its three strings. */
static char *json_dead_letter_text(codec_t *codec, char *o, const sy_dead_letter_t *d,
                                   const size_t *n, bool *high) {
    assert(d && n);
    o = JSON_LIT(o, "{\"schema\":\"DeadLetter\",\"source_topic\":");
    o = json_put_string(o, d->source_topic, n[0], high);
    o = JSON_LIT(o, ",\"partition\":");
    o = json_put_int(o, d->partition);
    o = JSON_LIT(o, ",\"offset\":");
    o = json_put_int(o, d->offset);
    o = JSON_LIT(o, ",\"error_code\":");
    o = json_put_string(o, d->error_code, n[1], high);
    o = JSON_LIT(o, ",\"error\":");
    o = json_put_string(o, d->error, n[2], high);
    o = JSON_LIT(o, ",\"key\":");
    o = json_put_opt_base64(o, d->key, d->key_len);
    o = JSON_LIT(o, ",\"value\":");
    o = json_put_opt_base64(o, d->value, d->value_len);
    o = JSON_LIT(o, ",\"failed_at\":");
    o = json_put_time(codec, o, d->failed_at_ms);
    *o++ = '}';
    return o;
}

/* A record that passed its rules, on its way to its text. */
typedef struct json_rec {
    sy_schema_id_t id;  /* which of the output kinds rec is */
    const void *rec;    /* borrowed: the sy_*_t of id */
    const size_t *n;    /* the lengths of its strings, as its json_*_text wants them */
    size_t need;        /* its text's bound */
    size_t map_entries; /* of its map, 0 without one */
} json_rec_t;

/* Its encoder's verdict on r->rec; the frame is not used. */
static sy_err_t json_encode(codec_t *codec, const json_rec_t *r, char *errbuf,
                            size_t errbuf_size) {
    const void *f;
    size_t len;
    assert(r->rec);
    switch (r->id) {
    case SY_SCHEMA_ROUTING_DECISION:
        return codec_encode_decision(codec, r->rec, &f, &len, errbuf, errbuf_size);
    case SY_SCHEMA_ACTION_COMMAND:
        return codec_encode_action(codec, r->rec, &f, &len, errbuf, errbuf_size);
    case SY_SCHEMA_CONTACT_UPDATE:
        return codec_encode_contact_update(codec, r->rec, &f, &len, errbuf, errbuf_size);
    case SY_SCHEMA_CONVERSION:
        return codec_encode_conversion(codec, r->rec, &f, &len, errbuf, errbuf_size);
    default:
        assert(r->id == SY_SCHEMA_DEAD_LETTER); /* the only other kind with a json_rec_t */
        return codec_encode_dead_letter(codec, r->rec, &f, &len, errbuf, errbuf_size);
    }
}

/* r's text at o; the cursor after it. */
static char *json_text(codec_t *codec, char *o, const json_rec_t *r, bool *high) {
    assert(r->rec && r->n);
    switch (r->id) {
    case SY_SCHEMA_ROUTING_DECISION: return json_decision_text(codec, o, r->rec, r->n, high);
    case SY_SCHEMA_ACTION_COMMAND: return json_action_text(codec, o, r->rec, r->n, high);
    case SY_SCHEMA_CONTACT_UPDATE:
        return json_contact_update_text(codec, o, r->rec, r->n, high);
    case SY_SCHEMA_CONVERSION: return json_conversion_text(codec, o, r->rec, r->n, high);
    default:
        assert(r->id == SY_SCHEMA_DEAD_LETTER); /* the only other kind with a json_rec_t */
        return json_dead_letter_text(codec, o, r->rec, r->n, high);
    }
}

/* The text of r into codec->json_out, with the encoder's verdict where json_checked wants
 * it: before the text for a long record or a map, after it for a string not ASCII. */
static sy_err_t json_write(codec_t *codec, const json_rec_t *r, const char **json,
                           size_t *json_len, char *errbuf, size_t errbuf_size) {
    bool high = false, checked = json_checked(r->need, r->map_entries);
    sy_err_t err;
    assert(json && json_len);
    if (checked && (err = json_encode(codec, r, errbuf, errbuf_size)) != SY_OK)
        return err;
    char *o = json_start(codec, r->need);
    if (!o)
        return json_nomem(errbuf, errbuf_size);
    if (!codec->json_names_set)
        json_names_make(codec);
    o = json_text(codec, o, r, &high);
    if (high && !checked && (err = json_encode(codec, r, errbuf, errbuf_size)) != SY_OK)
        return err;
    return json_finish(codec, o, r->need, json, json_len);
}

sy_err_t codec_json_decision(codec_t *codec, const sy_decision_t *d, const char **json,
                             size_t *json_len, char *errbuf, size_t errbuf_size) {
    size_t n[JSON_DECISION_STRINGS];
    assert(codec && d);
    sy_err_t err = codec_rules_decision_usual(d, n)
                       ? SY_OK
                       : codec_rules_decision(d, n, false, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    n[JSON_DECISION_PATH] = json_opt_len(d->path);
    json_rec_t r = {SY_SCHEMA_ROUTING_DECISION, d, n, json_need(n, JSON_DECISION_STRINGS), 0};
    return json_write(codec, &r, json, json_len, errbuf, errbuf_size);
}

sy_err_t codec_json_action(codec_t *codec, const sy_action_t *a, const char **json,
                           size_t *json_len, char *errbuf, size_t errbuf_size) {
    size_t n[JSON_ACTION_STRINGS];
    assert(codec && a);
    sy_err_t err = codec_rules_action_usual(a, n)
                       ? SY_OK
                       : codec_rules_action(a, n, false, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    json_rec_t r = {SY_SCHEMA_ACTION_COMMAND, a, n, json_action_need(a, n), a->params_count};
    return json_write(codec, &r, json, json_len, errbuf, errbuf_size);
}

sy_err_t codec_json_contact_update(codec_t *codec, const sy_contact_update_t *u,
                                   const char **json, size_t *json_len, char *errbuf,
                                   size_t errbuf_size) {
    assert(codec && u);
    sy_err_t err = codec_rules_contact_update(u, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    size_t n[5] = {strlen(u->contact_id), strlen(u->journey_id), strlen(u->node_id),
                   strlen(u->name), json_opt_len(u->value)};
    json_rec_t r = {SY_SCHEMA_CONTACT_UPDATE, u, n, json_need(n, 5), 0};
    return json_write(codec, &r, json, json_len, errbuf, errbuf_size);
}

sy_err_t codec_json_conversion(codec_t *codec, const sy_conversion_t *c, const char **json,
                               size_t *json_len, char *errbuf, size_t errbuf_size) {
    assert(codec && c);
    sy_err_t err = codec_rules_conversion(c, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    size_t n[8] = {strlen(c->contact_id), strlen(c->journey_id), strlen(c->node_id),
                   strlen(c->action_id),  strlen(c->rule),       strlen(c->currency),
                   strlen(c->call_id),    strlen(c->tracking_number)};
    json_rec_t r = {SY_SCHEMA_CONVERSION, c, n, json_need(n, 8), 0};
    return json_write(codec, &r, json, json_len, errbuf, errbuf_size);
}

sy_err_t codec_json_dead_letter(codec_t *codec, const sy_dead_letter_t *d, const char **json,
                                size_t *json_len, char *errbuf, size_t errbuf_size) {
    assert(codec && d);
    sy_err_t err = codec_rules_dead_letter(d, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    /* the three strings, then the key and the value (base64 takes less than their bound) */
    size_t n[5] = {strlen(d->source_topic), strlen(d->error_code), strlen(d->error),
                   d->key ? d->key_len : 0, d->value ? d->value_len : 0};
    json_rec_t r = {SY_SCHEMA_DEAD_LETTER, d, n, json_need(n, 5), 0};
    return json_write(codec, &r, json, json_len, errbuf, errbuf_size);
}
