/*
 * test_readme.c: the README's configuration reference is exactly what
 * `sluice config --markdown` prints (both come from cfg.c's one table).
 * Regenerate it with: make readme
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"

Test(readme, config_reference_is_current)
{
    FILE *f = fopen("README.md", "r");
    cr_assert(f, "README.md not found (tests run from the top folder)");
    static char readme[1 << 20];
    size_t n = fread(readme, 1, sizeof readme - 1, f);
    readme[n] = 0;
    fclose(f);
    const char *begin = strstr(readme, "<!-- BEGIN CONFIG REFERENCE");
    const char *end = strstr(readme, "<!-- END CONFIG REFERENCE -->");
    cr_assert(begin && end && end > begin, "README.md lacks the config reference markers");
    begin = strchr(begin, '\n') + 1;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    cr_assert_eq(cfg_write_markdown(m), 0);
    fclose(m);
    size_t have = (size_t)(end - begin);
    cr_expect(have == len && memcmp(begin, buf, len) == 0,
              "README.md's configuration reference is out of date: run `make readme`");
    free(buf);
}
