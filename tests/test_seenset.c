/* Tests of lib/seenset.c: each seq is new once (known answers), the ring
 * slides on as its front fills, one stuck seq becomes a straggler instead
 * of holding the ring open (memory stays small), and random report orders
 * agree with a byte-per-seq reference. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/seenset.h"

Test(seenset, each_seq_is_new_once)
{
    seenset s;
    cr_assert_eq(seenset_init(&s), 0);
    static const uint64_t seq[] = { 0, 5, 5, 63, 64, 0, 1000000, 1000000, 64, 7 };
    static const int want[] = { 0, 0, 1, 0, 0, 1, 0, 1, 1, 0 };
    for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++)
        cr_assert_eq(seenset_test_set(&s, seq[i]), want[i], "report %zu (seq %llu)", i,
                     (unsigned long long)seq[i]);
    seenset_free(&s);
}

Test(seenset, ring_slides_when_the_front_fills)
{
    seenset s;
    cr_assert_eq(seenset_init(&s), 0);
    size_t bytes = seenset_bytes(&s);
    for (uint64_t i = 0; i < 1000000; i++)
        cr_assert_eq(seenset_test_set(&s, i), 0);
    cr_assert_eq(s.base_word, 1000000 / 64); /* every full word popped */
    cr_assert_eq(seenset_bytes(&s), bytes); /* in order: never grew */
    cr_assert_eq(seenset_test_set(&s, 12345), 1);
    cr_assert_eq(seenset_test_set(&s, 999999), 1);
    seenset_free(&s);
}

Test(seenset, a_stuck_seq_becomes_a_straggler)
{
    seenset s;
    cr_assert_eq(seenset_init(&s), 0);
    for (uint64_t i = 1; i < 2000000; i++) /* seq 0 stays unmarked */
        cr_assert_eq(seenset_test_set(&s, i), 0);
    cr_assert_eq(s.sn, 1);
    cr_assert_lt(seenset_bytes(&s), 16 * 1024); /* not 2e6 bits */
    cr_assert_eq(seenset_test_set(&s, 0), 0);   /* new: taken from stragglers */
    cr_assert_eq(s.sn, 0);
    cr_assert_eq(seenset_test_set(&s, 0), 1);
    seenset_free(&s);
}

Test(seenset, agrees_with_a_reference_in_random_order)
{
    const uint64_t n = 300000;
    unsigned char *ref = calloc(n, 1);
    cr_assert_not_null(ref);
    seenset s;
    cr_assert_eq(seenset_init(&s), 0);
    uint64_t x = 0x2545F4914F6CDD1Du;
    for (uint64_t k = 0; k < 2 * n; k++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        /* mostly near k/2, sometimes far behind or ahead */
        uint64_t base = k / 2, seq;
        if (x % 50 == 0)
            seq = (x >> 20) % n;
        else
            seq = base + (x >> 32) % 3000;
        if (seq >= n)
            seq = n - 1 - seq % 100;
        int was = ref[seq];
        ref[seq] = 1;
        cr_assert_eq(seenset_test_set(&s, seq), was, "report %llu seq %llu", (unsigned long long)k,
                     (unsigned long long)seq);
    }
    for (uint64_t q = 0; q < n; q++)
        cr_assert_eq(seenset_test_set(&s, q), ref[q], "final pass seq %llu", (unsigned long long)q);
    seenset_free(&s);
    free(ref);
}
