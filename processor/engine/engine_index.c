/* engine_index.c — which journeys an input event can move: an index from an event's
 * kind (channel, type, and name when custom) to the set of journeys of the engine's order
 * that read that kind anywhere — entry, goals, exits, the events a branch or a wait
 * watches — in any loaded version. A journey outside the set would read the contact's
 * instance and do nothing, so the engine skips it. Not the matching itself
 * (event_match.h): this only narrows which journeys are asked. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "sy_hash.h"

/* A custom kind's slot in the hash part of the index. */
struct engine_index_slot {
    bool used;
    sy_channel_t channel;
    size_t name_len;  /* strlen(name) */
    const char *name; /* borrowed from a journey of the set */
    uint64_t journeys[ENGINE_INDEX_WORDS]; /* bit i: order[i] reads this kind */
};

/* Every kind but the custom ones is a channel and a type, few enough for a table of one
 * journey set each, which the index keeps after its hash slots (e->index_capacity of
 * them): such an event, most of them, is looked up without a hash or a compare. */
#define INDEX_TYPED_KINDS ((size_t)SY_CHANNEL__COUNT * SY_EVENT_TYPE__COUNT)
typedef uint64_t index_set_t[ENGINE_INDEX_WORDS];

/* The journey set of the typed kind (channel, type), both in range, of e's index. */
static index_set_t *typed_set(const engine_t *e, sy_channel_t channel, sy_event_type_t type) {
    /* no assert: a leaf of every lookup; callers check the kind */
    index_set_t *typed = (index_set_t *)(void *)(e->index + e->index_capacity);
    return &typed[(size_t)channel * SY_EVENT_TYPE__COUNT + (size_t)type];
}

/* Whether (channel, type) is a kind of the typed table: not custom, both in range. */
static bool kind_typed(sy_channel_t channel, sy_event_type_t type) {
    /* no assert: a predicate on input */
    return (unsigned)channel < SY_CHANNEL__COUNT && (unsigned)type < SY_EVENT_TYPE__COUNT &&
           type != SY_EVENT_CUSTOM;
}

/* The slot of a custom kind (channel, and name of len bytes): its own, or the empty one
 * where it would go. The index lives in memory only: sy_hash_table64, 8 bytes a step. */
static struct engine_index_slot *slot_of(const engine_t *e, sy_channel_t channel,
                                         const char *name, size_t len) {
    assert(e->index_capacity > 0 && name);
    uint64_t seed = (uint64_t)(uint32_t)channel << 32 | (uint32_t)SY_EVENT_CUSTOM;
    size_t mask = e->index_capacity - 1, at = sy_hash_table64(seed, name, len) & mask;
    for (;; at = (at + 1) & mask) {
        struct engine_index_slot *s = &e->index[at];
        if (!s->used || (s->channel == channel && s->name_len == len &&
                         sy_hash_key_equal(s->name, name, len)))
            return s;
    }
}

static void index_add(engine_t *e, const journey_event_match_t *m, size_t rank) {
    assert(rank < e->order_count && rank < ENGINE_INDEX_WORDS * 64);
    uint64_t *set;
    if (kind_typed(m->channel, m->type)) {
        set = *typed_set(e, m->channel, m->type);
    } else if (m->type == SY_EVENT_CUSTOM && m->name) {
        size_t len = strlen(m->name);
        struct engine_index_slot *s = slot_of(e, m->channel, m->name, len);
        s->used = true;
        s->channel = m->channel;
        s->name_len = len;
        s->name = m->name;
        set = s->journeys;
    } else {
        return; /* matches no event: a custom kind without a name, or out of range */
    }
    set[rank / 64] |= UINT64_C(1) << (rank % 64);
}

/* Add m for the journey at rank to the index, or only count it (e has no index yet): the
 * custom kinds, which take hash slots. */
static void kind_visit(engine_t *e, const journey_event_match_t *m, size_t rank,
                       size_t *count) {
    assert(e->index || count);
    if (e->index)
        index_add(e, m, rank);
    else if (m->type == SY_EVENT_CUSTOM)
        (*count)++;
}

/* Every event kind journey j reads: entry, goals, exits, and what its branches and waits
 * watch (a wait on an event reads its first; all are taken). */
static void journey_kinds(engine_t *e, const journey_t *j, size_t rank, size_t *count) {
    assert(j->nodes_count == 0 || j->nodes);
    kind_visit(e, &j->entry, rank, count);
    for (size_t i = 0; i < j->goals_count; i++)
        kind_visit(e, &j->goals[i].event, rank, count);
    for (size_t i = 0; i < j->exits_count; i++)
        kind_visit(e, &j->exits[i].event, rank, count);
    for (size_t i = 0; i < j->nodes_count; i++) {
        const journey_node_t *node = &j->nodes[i];
        const journey_watch_t *w = node->kind == JOURNEY_NODE_BRANCH ? &node->u.branch.watch
                                   : node->kind == JOURNEY_NODE_WAIT ? &node->u.wait.watch
                                                                     : NULL;
        for (size_t k = 0; w && k < w->count && k < JOURNEY_WATCH_MAX; k++)
            kind_visit(e, &w->events[k], rank, count);
    }
}

/* Where journey_id stands in the order (every loaded id has its newest version there). */
static size_t rank_of(const engine_t *e, const char *journey_id) {
    size_t i = 0;
    while (i < e->order_count && strcmp(e->order[i]->id, journey_id) != 0)
        i++;
    assert(i < e->order_count);
    return i;
}

void engine_index_build(engine_t *e) {
    size_t kinds = 0;
    assert(e && e->journeys && e->order_count <= ENGINE_INDEX_WORDS * 64);
    free(e->index);
    e->index = NULL;
    e->index_capacity = 0;
    for (size_t i = 0; i < e->journeys->count; i++)
        journey_kinds(e, e->journeys->journeys[i], 0, &kinds);
    size_t capacity = 16;
    while (capacity < 2 * kinds)
        capacity *= 2;
    /* the hash slots, then the typed kinds' table (typed_set) */
    e->index = calloc(1, capacity * sizeof *e->index + INDEX_TYPED_KINDS * sizeof(index_set_t));
    if (!e->index)
        return; /* no index: every journey is asked (engine_index_journeys) */
    e->index_capacity = capacity;
    for (size_t i = 0; i < e->journeys->count; i++) {
        const journey_t *j = e->journeys->journeys[i];
        journey_kinds(e, j, rank_of(e, j->id), NULL);
    }
}

void engine_index_journeys(const engine_t *e, const sy_event_t *ev,
                           uint64_t journeys[ENGINE_INDEX_WORDS]) {
    assert(e && ev && e->order_count <= ENGINE_INDEX_WORDS * 64);
    /* An SMS opt-out keyword is also matched as sms.opted_out (goals and exits): rare
     * enough to ask every journey. */
    if (!e->index || e->event_as_opt_out) {
        memset(journeys, 0xff, ENGINE_INDEX_WORDS * sizeof *journeys);
        return;
    }
    const uint64_t *set = NULL;
    if (kind_typed(ev->channel, ev->type)) {
        set = *typed_set(e, ev->channel, ev->type);
    } else if (ev->type == SY_EVENT_CUSTOM && ev->name) {
        const struct engine_index_slot *s =
            slot_of(e, ev->channel, ev->name, strlen(ev->name));
        set = s->used ? s->journeys : NULL;
    } /* else: a custom event without a name, or a kind out of range, matches no rule */
    if (set)
        memcpy(journeys, set, ENGINE_INDEX_WORDS * sizeof *journeys);
    else
        memset(journeys, 0, ENGINE_INDEX_WORDS * sizeof *journeys);
}

void engine_index_free(engine_t *e) {
    assert(e);
    free(e->index);
    e->index = NULL;
    e->index_capacity = 0;
}
