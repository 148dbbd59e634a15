/* test_state_pending.c — unit tests of the pending batch's op log (state_pending.h): one
 * final write per (column family, key), a committed batch's log folded into another (the
 * store's unwritten writes), and the reads of a contact's keys past the key filter. The
 * map and the timer heaps: test_state_store.c. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>

#include "state_pending.h"

#define CF 3

/* A key of partition 0: the 2-byte partition, then name. */
static size_t key_of(uint8_t *buf, const char *name) {
    size_t len = strlen(name);
    buf[0] = 0;
    buf[1] = 0;
    memcpy(buf + 2, name, len);
    return 2 + len;
}

static void put(state_pending_t *p, const char *name, const char *value) {
    uint8_t key[64];
    cr_assert(state_pending_op_put(p, CF, key, key_of(key, name), (const uint8_t *)value,
                                   strlen(value)));
}

static void delete(state_pending_t *p, const char *name, int committed) {
    uint8_t key[64];
    cr_assert(state_pending_op_delete(p, CF, key, key_of(key, name), committed));
}

/* The log's write of name: its value, "(delete)", "(none)" (an op writing nothing) or
 * "(no op)". */
static const char *write_of(const state_pending_t *p, const char *name) {
    static char out[64];
    uint8_t key[64];
    const pending_op_t *op = state_pending_op_get(p, CF, key, key_of(key, name));
    if (!op)
        return "(no op)";
    if (op->kind == PENDING_OP_DELETE)
        return "(delete)";
    if (op->kind == PENDING_OP_NONE)
        return "(none)";
    cr_assert_lt(op->value_len, sizeof out);
    memcpy(out, op->value, op->value_len);
    out[op->value_len] = '\0';
    return out;
}

static void fold_all(state_pending_t *to, const state_pending_t *from) {
    cr_assert(state_pending_ops_fold(to, from));
}

Test(state_pending, a_folded_batch_writes_over_the_older_ones_key_by_key) {
    state_pending_t unwritten, batch;
    state_pending_init(&unwritten);
    state_pending_init(&batch);
    put(&batch, "ann", "v1");
    put(&batch, "bob", "short");
    put(&batch, "cat", "kept");
    fold_all(&unwritten, &batch);
    state_pending_reset(&batch);
    put(&batch, "ann", "v2-longer-than-the-first-value");
    delete(&batch, "bob", 1);
    put(&batch, "dan", "added then undone");
    delete(&batch, "dan", 0);
    cr_assert(eq(str, (char *)write_of(&batch, "dan"), "(none)"));
    fold_all(&unwritten, &batch);
    cr_assert(eq(str, (char *)write_of(&unwritten, "ann"), "v2-longer-than-the-first-value"));
    cr_assert(eq(str, (char *)write_of(&unwritten, "bob"), "(delete)"));
    cr_assert(eq(str, (char *)write_of(&unwritten, "cat"), "kept"));
    cr_assert(eq(str, (char *)write_of(&unwritten, "dan"), "(no op)"),
              "a write undone within its batch adds nothing");
    cr_assert(eq(sz, unwritten.ops_count, 3));
    state_pending_reset(&batch);
    put(&batch, "bob", "back");
    fold_all(&unwritten, &batch);
    cr_assert(eq(str, (char *)write_of(&unwritten, "bob"), "back"));
    cr_assert(eq(int, unwritten.ops_lost, 0));
    state_pending_deinit(&batch);
    state_pending_deinit(&unwritten);
}

Test(state_pending, a_fold_appends_new_keys_in_the_batch_order_with_their_partition) {
    state_pending_t unwritten, batch;
    state_pending_init(&unwritten);
    state_pending_init(&batch);
    put(&unwritten, "old", "o");
    const uint8_t key[] = {0x01, 0x02, 'z', 'o', 'e'}; /* partition 258 */
    cr_assert(state_pending_op_put(&batch, CF + 1, key, sizeof key, (const uint8_t *)"zz", 2));
    put(&batch, "eve", "e");
    put(&batch, "eve", "grown-past-its-first-room"); /* now apart from its key: copied too */
    put(&batch, "old", "o2");
    delete(&batch, "gus", 1);
    fold_all(&unwritten, &batch);
    state_pending_reset(&batch); /* the fold copied what it keeps */
    cr_assert(eq(sz, unwritten.ops_count, 4));
    const pending_op_t *ops = unwritten.ops;
    cr_assert(eq(u8, ops[0].cf, CF));
    cr_assert(eq(int, memcmp(ops[0].key + 2, "old", 3), 0), "older keys keep their place");
    cr_assert(eq(u8, ops[1].cf, CF + 1));
    cr_assert(eq(i32, ops[1].partition, 258));
    cr_assert(eq(int, memcmp(ops[2].key + 2, "eve", 3), 0), "new keys in the batch's order");
    cr_assert(eq(int, memcmp(ops[3].key + 2, "gus", 3), 0));
    cr_assert(eq(u8, ops[3].kind, PENDING_OP_DELETE));
    cr_assert(eq(str, (char *)write_of(&unwritten, "old"), "o2"));
    cr_assert(eq(str, (char *)write_of(&unwritten, "eve"), "grown-past-its-first-room"));
    const pending_op_t *zoe = state_pending_op_get(&unwritten, CF + 1, key, sizeof key);
    cr_assert(zoe && zoe->value_len == 2 && memcmp(zoe->value, "zz", 2) == 0);
    state_pending_deinit(&batch);
    state_pending_deinit(&unwritten);
}

/* An instance key of partition 1: the contact's key, NUL, the journey id; *contact_len its
 * contact part. A journey NULL: the contact's key alone (a record's). */
static size_t contact_key_of(uint8_t *buf, const char *contact, const char *journey,
                             size_t *contact_len) {
    size_t len = strlen(contact);
    buf[0] = 0;
    buf[1] = 1;
    memcpy(buf + 2, contact, len);
    *contact_len = 2 + len;
    if (!journey)
        return *contact_len;
    buf[*contact_len] = 0;
    memcpy(buf + *contact_len + 1, journey, strlen(journey));
    return *contact_len + 1 + strlen(journey);
}

/* The op the contact read path finds for (cf, contact, journey), or NULL. */
static const pending_op_t *contact_op(const state_pending_t *p, uint8_t cf,
                                      const char *contact, const char *journey) {
    uint8_t key[128];
    size_t contact_len, key_len = contact_key_of(key, contact, journey, &contact_len);
    const pending_op_t *op = state_pending_op_get_contact(p, cf, key, key_len, contact_len);
    cr_assert(eq(ptr, (void *)op, (void *)state_pending_op_get(p, cf, key, key_len)),
              "the filtered read and the plain one agree");
    return op;
}

static void contact_put(state_pending_t *p, uint8_t cf, const char *contact,
                        const char *journey, int by_contact) {
    uint8_t key[128];
    size_t contact_len, key_len = contact_key_of(key, contact, journey, &contact_len);
    cr_assert(by_contact ? state_pending_op_put_contact(p, cf, key, key_len, contact_len,
                                                        (const uint8_t *)"v", 1)
                         : state_pending_op_put(p, cf, key, key_len, (const uint8_t *)"v", 1));
}

Test(state_pending, a_contact_read_finds_every_write_of_the_batch_and_none_before) {
    state_pending_t p;
    state_pending_init(&p);
    cr_assert_null(contact_op(&p, CF, "ann", NULL), "an empty batch writes nothing");
    contact_put(&p, CF, "ann", NULL, 1);
    contact_put(&p, CF, "ann", "coffee_promo", 1);
    contact_put(&p, CF, "bob-with-a-long-contact-id", "j", 0); /* the part found by NUL */
    contact_put(&p, CF + 1, "z", NULL, 0);                     /* keys under 8 bytes */
    cr_assert_not_null(contact_op(&p, CF, "ann", NULL));
    cr_assert_not_null(contact_op(&p, CF, "ann", "coffee_promo"));
    cr_assert_not_null(contact_op(&p, CF, "bob-with-a-long-contact-id", "j"));
    cr_assert_not_null(contact_op(&p, CF + 1, "z", NULL));
    cr_assert_null(contact_op(&p, CF + 1, "ann", NULL), "another column family");
    cr_assert_null(contact_op(&p, CF, "ann", "coffee_push"), "another journey");
    cr_assert_null(contact_op(&p, CF, "bob-with-a-long-contact-id", NULL));
    cr_assert_null(contact_op(&p, CF, "cat", NULL));
    uint8_t key[128];
    size_t contact_len, key_len = contact_key_of(key, "ann", NULL, &contact_len);
    cr_assert(state_pending_op_delete(&p, CF, key, key_len, 1));
    const pending_op_t *op = contact_op(&p, CF, "ann", NULL);
    cr_assert(op && op->kind == PENDING_OP_DELETE, "a delete is the batch's write too");
    state_pending_reset(&p);
    cr_assert_null(contact_op(&p, CF, "ann", "coffee_promo"), "a reset forgets every write");
    contact_put(&p, CF, "cat", NULL, 1);
    cr_assert_null(contact_op(&p, CF, "ann", NULL));
    cr_assert_not_null(contact_op(&p, CF, "cat", NULL));
    state_pending_deinit(&p);
}

Test(state_pending, a_contact_read_misses_no_write_among_thousands) {
    state_pending_t p;
    state_pending_init(&p);
    char contact[32];
    for (int i = 0; i < 20000; i += 2) { /* more writes than a batch's, the even contacts */
        snprintf(contact, sizeof contact, "contact-%05d", i);
        contact_put(&p, CF, contact, i % 4 ? "journey_a" : NULL, i % 3 != 0);
    }
    size_t found = 0;
    for (int i = 0; i < 20000; i++) {
        snprintf(contact, sizeof contact, "contact-%05d", i);
        const pending_op_t *op = contact_op(&p, CF, contact, i % 4 ? "journey_a" : NULL);
        cr_assert(i % 2 ? !op : op != NULL, "contact %d: written %d", i, !(i % 2));
        found += op != NULL;
    }
    cr_assert(eq(sz, found, 10000));
    state_pending_deinit(&p);
}

Test(state_pending, a_contact_read_of_a_folded_log_finds_the_folded_writes) {
    state_pending_t unwritten, batch;
    state_pending_init(&unwritten);
    state_pending_init(&batch);
    contact_put(&batch, CF, "ann", "coffee_promo", 1);
    contact_put(&unwritten, CF, "bob", NULL, 1);
    fold_all(&unwritten, &batch);
    cr_assert_not_null(contact_op(&unwritten, CF, "ann", "coffee_promo"));
    cr_assert_not_null(contact_op(&unwritten, CF, "bob", NULL));
    cr_assert_null(contact_op(&unwritten, CF, "cat", NULL));
    state_pending_deinit(&batch);
    state_pending_deinit(&unwritten);
}

Test(state_pending, a_large_filter_log_folded_from_batches_misses_none_of_their_writes) {
    state_pending_t unwritten, batch;
    state_pending_init_filter(&unwritten, 21);
    state_pending_init(&batch);
    char contact[32];
    for (int b = 0; b < 4; b++) { /* four batches, each writing every fourth contact */
        for (int i = b; i < 8000; i += 4) {
            snprintf(contact, sizeof contact, "contact-%05d", i);
            contact_put(&batch, CF, contact, i % 2 ? "journey_a" : NULL, i % 3 != 0);
        }
        fold_all(&unwritten, &batch);
        state_pending_reset(&batch);
    }
    cr_assert(eq(sz, unwritten.ops_count, 8000));
    size_t found = 0;
    for (int i = 0; i < 16000; i++) {
        snprintf(contact, sizeof contact, "contact-%05d", i);
        uint8_t key[128];
        size_t contact_len, key_len = contact_key_of(key, contact, i % 2 ? "journey_a" : NULL,
                                                     &contact_len);
        const pending_op_t *op = contact_op(&unwritten, CF, contact, i % 2 ? "journey_a" : NULL);
        cr_assert(i < 8000 ? op != NULL : !op, "contact %d", i);
        uint64_t hash = state_pending_op_hash(CF, key, key_len);
        cr_assert(eq(ptr, (void *)state_pending_op_get_hashed(&unwritten, hash, CF, key, key_len),
                     (void *)op), "one hash serves the index as the plain read");
        if (op)
            cr_assert(eq(u8, op->contact_len, (uint8_t)contact_len));
        found += op != NULL;
    }
    cr_assert(eq(sz, found, 8000));
    state_pending_reset(&unwritten);
    cr_assert_null(contact_op(&unwritten, CF, "contact-00001", "journey_a"), "reset forgets");
    state_pending_deinit(&batch);
    state_pending_deinit(&unwritten);
}
