/* codec_decode_profile.c — the usual ProfileUpdate body read in one pass, without the
 * guard (codec_usual.h): one-byte counts and union indexes, strings of one- or two-byte
 * length, longs within 8 bytes, at most SY_PROFILE_ATTRS_MAX entries. Anything else makes
 * it give up, and codec_decode_profile_update decodes the body the checked way (the guard,
 * then codec_extract), which accepts it or refuses it with the guard's messages. Limits,
 * map keys and rules stay codec_decode.c's. */
#include <assert.h>

#include "codec_int.h"
#include "codec_usual.h"

/* ProfileUpdate's fields, in schema order; profile_update.avsc. */
enum { PU_CONTACT_ID, PU_UPDATED_AT, PU_SET, PU_UNSET, PU_FIELDS };

bool codec_profile_fusable(const codec_guard_t *root) {
    /* The union of a value, branch by branch: sy_value_kind_t's order. */
    static const avro_type_t kinds[] = {AVRO_NULL, AVRO_BOOLEAN, AVRO_INT64, AVRO_DOUBLE,
                                        AVRO_STRING};
    enum { KINDS = sizeof kinds / sizeof kinds[0] };
    _Static_assert(KINDS == SY_VALUE_STRING + 1, "a branch for every kind of value");
    assert(root);
    if (root->type != AVRO_RECORD || root->count != PU_FIELDS || !root->children)
        return false;
    const codec_guard_t *set = root->children[PU_SET], *unset = root->children[PU_UNSET];
    if (root->children[PU_CONTACT_ID]->type != AVRO_STRING ||
        root->children[PU_UPDATED_AT]->type != AVRO_INT64 || set->type != AVRO_MAP ||
        !set->children || unset->type != AVRO_ARRAY || !unset->children ||
        unset->children[0]->type != AVRO_STRING)
        return false;
    const codec_guard_t *value = set->children[0];
    if (value->type != AVRO_UNION || value->count != KINDS || !value->children)
        return false;
    for (size_t i = 0; i < KINDS; i++)
        if (value->children[i]->type != kinds[i])
            return false;
    return true;
}

/* One attribute's value: its branch in one byte, then the branch's value. */
static inline bool usual_value(usual_t *u, sy_value_t *v) {
    size_t kind, len;
    assert(u->p <= u->end);
    if (!usual_small(u, &kind) || kind > SY_VALUE_STRING)
        return false;
    v->kind = (sy_value_kind_t)kind;
    switch (v->kind) {
    case SY_VALUE_NULL: return true;
    case SY_VALUE_BOOL:
        if (u->p >= u->end || *u->p > 1) /* the guard's test: 0 or 1 */
            return false;
        v->u.b = *u->p++ != 0;
        return true;
    case SY_VALUE_LONG: return usual_long(u, &v->u.l);
    case SY_VALUE_DOUBLE: return usual_double(u, &v->u.d);
    case SY_VALUE_STRING: return usual_string(u, &v->u.s, &len);
    }
    return false;
}

static inline bool usual_set_item(usual_t *u, size_t i, void *ctx) {
    sy_attr_t *a = &((sy_profile_update_t *)ctx)->set[i];
    size_t len;
    assert(i < SY_PROFILE_ATTRS_MAX);
    return usual_string(u, &a->name, &len) && usual_value(u, &a->value);
}

static inline bool usual_unset_item(usual_t *u, size_t i, void *ctx) {
    size_t len;
    assert(i < SY_PROFILE_ATTRS_MAX);
    return usual_string(u, &((sy_profile_update_t *)ctx)->unset[i], &len);
}

bool codec_usual_profile_update(const uint8_t *body, size_t body_len, char *scratch,
                                sy_profile_update_t *p) {
    usual_t u = {.p = body, .end = body + body_len, .scratch = scratch};
    size_t len;
    assert(body && scratch && p);
    return usual_string(&u, &p->contact_id, &len) && usual_long(&u, &p->updated_at_ms) &&
           usual_blocks(&u, SY_PROFILE_ATTRS_MAX, usual_set_item, p, &p->set_count) &&
           usual_blocks(&u, SY_PROFILE_ATTRS_MAX, usual_unset_item, p, &p->unset_count) &&
           u.p == u.end;
}
