/* sy_str_index.h — a set of borrowed strings, each with the caller's index, found in
 * constant expected time: the duplicate checks of the journey and config parsers, which
 * compared every key with all earlier ones. Not a map of values and not ordered; FNV is
 * not hardened against chosen collisions, so only for the operator's own files. */
#ifndef SY_STR_INDEX_H
#define SY_STR_INDEX_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sy_str_index_slot {
    const char *text; /* borrowed; NULL: empty slot */
    size_t index;
} sy_str_index_slot_t;

/* Zero-initialise ({0}) before use; sy_str_index_deinit frees the table. */
typedef struct sy_str_index {
    sy_str_index_slot_t *slots; /* owned; kept at most half full */
    size_t cap;                 /* a power of two, or 0 */
    size_t count;
} sy_str_index_t;

/* The index given with a string equal to text, or SIZE_MAX when none was added. */
size_t sy_str_index_find(const sy_str_index_t *set, const char *text);

/* Add text (borrowed: it must outlive the set and not change) with index. The caller
 * checks for an equal string first; adding one twice keeps both. False when out of
 * memory (the set is unchanged). */
bool sy_str_index_add(sy_str_index_t *set, const char *text, size_t index);

/* Free the table; the strings are the caller's. Leaves an empty set. */
void sy_str_index_deinit(sy_str_index_t *set);

#endif
