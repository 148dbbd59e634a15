/* codec_rules_usual.h — the quick form of the rules (codec_rules.c) for the usual action
 * and decision an output writer gets (codec_encode.c, codec_json_write.c): every rule
 * tested at once, ids measured (or taken from the record's lengths and parts) into the
 * writer's lengths; false sends the record to the rules one by one, for their messages.
 * Internal to schemas/. */
#ifndef SY_CODEC_RULES_USUAL_H
#define SY_CODEC_RULES_USUAL_H

#include <assert.h>
#include <stdbool.h>
#include <string.h>

#include "codec_int.h"

/* An id's length passes the rules' test of it: 1 to SY_ID_BYTES_MAX when present (a length
 * 0 wraps round), 0 when absent, which only an optional id may be (the caller sees to it). */
static inline bool codec_rules_id_len_ok(const char *id, size_t len) {
    /* no assert: a pure test, inline in the two tests below */
    return len - (id != NULL) < SY_ID_BYTES_MAX;
}

/* The usual action, as codec_rules_decision_usual: its ids present, measured into len as
 * codec_rules_action measures them and within their limits, its channel known, its template
 * present, its params within their limit with no NULL key or value: every rule passes. False
 * says only that the rules must go one by one. */
static inline bool codec_rules_action_usual(const sy_action_t *a, size_t *len) {
    assert(a && len);
    if (a->action_id == NULL || a->contact_id == NULL || a->template_id == NULL ||
        a->journey_id == NULL || a->node_id == NULL ||
        (unsigned)a->channel >= SY_CHANNEL__COUNT || a->params_count > SY_ACTION_PARAMS_MAX)
        return false;
    for (size_t i = 0; i < a->params_count; i++)
        if (a->params[i].key == NULL || a->params[i].value == NULL)
            return false;
    len[CODEC_ACTION_ACTION_ID] = strlen(a->action_id);
    len[CODEC_ACTION_CONTACT_ID] = a->contact_id_len ? a->contact_id_len : strlen(a->contact_id);
    len[CODEC_ACTION_JOURNEY_ID] = a->journey_id_len ? a->journey_id_len : strlen(a->journey_id);
    len[CODEC_ACTION_NODE_ID] = codec_part_len(a->node_part, a->node_id);
    return codec_rules_id_len_ok(a->action_id, len[CODEC_ACTION_ACTION_ID]) &
           codec_rules_id_len_ok(a->contact_id, len[CODEC_ACTION_CONTACT_ID]) &
           codec_rules_id_len_ok(a->journey_id, len[CODEC_ACTION_JOURNEY_ID]) &
           codec_rules_id_len_ok(a->node_id, len[CODEC_ACTION_NODE_ID]);
}

/* The usual decision: its required ids present, every id measured into len as
 * codec_rules_decision measures it and within the limits it checks, its cause known, so
 * that every rule passes: tested at once, in the writers. False says only that the rules
 * must go one by one, to give the error (or pass a record this test is too quick for). */
static inline bool codec_rules_decision_usual(const sy_decision_t *d, size_t *len) {
    assert(d && len);
    if (d->contact_id == NULL || d->journey_id == NULL || d->to_node == NULL ||
        (unsigned)d->cause >= SY_CAUSE__COUNT)
        return false;
    len[CODEC_DECISION_CONTACT_ID] = d->contact_id_len ? d->contact_id_len : strlen(d->contact_id);
    len[CODEC_DECISION_JOURNEY_ID] = d->journey_id_len ? d->journey_id_len : strlen(d->journey_id);
    len[CODEC_DECISION_FROM_NODE] = codec_part_len(d->from_part, d->from_node);
    len[CODEC_DECISION_TO_NODE] = codec_part_len(d->to_part, d->to_node);
    len[CODEC_DECISION_CAUSE_EVENT_ID] = d->cause_event_id ? strlen(d->cause_event_id) : 0;
    return codec_rules_id_len_ok(d->contact_id, len[CODEC_DECISION_CONTACT_ID]) &
           codec_rules_id_len_ok(d->journey_id, len[CODEC_DECISION_JOURNEY_ID]) &
           codec_rules_id_len_ok(d->from_node, len[CODEC_DECISION_FROM_NODE]) &
           codec_rules_id_len_ok(d->to_node, len[CODEC_DECISION_TO_NODE]) &
           codec_rules_id_len_ok(d->cause_event_id, len[CODEC_DECISION_CAUSE_EVENT_ID]);
}

#endif
