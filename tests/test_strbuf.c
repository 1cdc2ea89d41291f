/*
 * test_strbuf.c: lib/strbuf: appending, growth past the first
 * allocation, the empty text, and taking the text out.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strbuf.h"

Test(strbuf, appends_and_grows)
{
    strbuf b = {0};
    for (int i = 0; i < 1000; i++)
        strbuf_put(&b, "%d,", i % 10);
    strbuf_put(&b, "%s", "end");
    cr_assert_eq(b.n, 2003);
    char *s = strbuf_take(&b);
    cr_assert_not_null(s);
    cr_assert_eq(strlen(s), 2003);
    cr_assert(strncmp(s, "0,1,2,", 6) == 0 && strcmp(s + 2000, "end") == 0);
    cr_assert_null(b.s);
    free(s);
}

Test(strbuf, empty_and_oom)
{
    strbuf b = {0};
    char *s = strbuf_take(&b);
    cr_assert_str_eq(s, "");
    free(s);
    b.oom = 1; /* as after a failed allocation: later text is ignored */
    strbuf_put(&b, "x");
    cr_assert_null(strbuf_take(&b));
}
