/* sy_str_index.c — open addressing with linear probing over (text, index) slots, doubled
 * when half full. The strings stay the caller's; see sy_str_index.h. */
#include "sy_str_index.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sy_hash.h"

/* Slots of a set's first table: small maps stay small. */
#define SY_STR_INDEX_CAP_MIN 16

static size_t str_index_home(size_t cap, const char *text) {
    uint64_t h = sy_hash_fnv1a64(SY_HASH_FNV64_OFFSET, text, strlen(text));
    return (size_t)sy_hash_mix64(h) & (cap - 1);
}

static void str_index_place(sy_str_index_slot_t *slots, size_t cap, const char *text,
                            size_t index) {
    size_t i = str_index_home(cap, text);
    while (slots[i].text)
        i = (i + 1) & (cap - 1);
    slots[i] = (sy_str_index_slot_t){.text = text, .index = index};
}

size_t sy_str_index_find(const sy_str_index_t *set, const char *text) {
    if (set->cap == 0)
        return SIZE_MAX;
    for (size_t i = str_index_home(set->cap, text); set->slots[i].text;
         i = (i + 1) & (set->cap - 1)) {
        if (strcmp(set->slots[i].text, text) == 0)
            return set->slots[i].index;
    }
    return SIZE_MAX;
}

bool sy_str_index_add(sy_str_index_t *set, const char *text, size_t index) {
    if ((set->count + 1) * 2 > set->cap) {
        size_t cap = set->cap ? set->cap * 2 : SY_STR_INDEX_CAP_MIN;
        sy_str_index_slot_t *slots = calloc(cap, sizeof *slots);
        if (!slots)
            return false;
        for (size_t i = 0; i < set->cap; i++) {
            if (set->slots[i].text)
                str_index_place(slots, cap, set->slots[i].text, set->slots[i].index);
        }
        free(set->slots);
        set->slots = slots;
        set->cap = cap;
    }
    str_index_place(set->slots, set->cap, text, index);
    set->count++;
    return true;
}

void sy_str_index_deinit(sy_str_index_t *set) {
    free(set->slots);
    *set = (sy_str_index_t){0};
}
