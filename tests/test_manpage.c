/*
 * test_manpage.c: `sluice config --man` (the man page sluice.ini(5), built
 * by make as build/sluice.ini.5) lists every key of model/config.c's table under its
 * section with the default `config --defaults` prints, and is clean troff
 * (no line read as an unknown request, no stray escape).  Needs no groff.
 * `sluice config --outputs-man` (sluice-outputs(5), build/sluice-outputs.5)
 * lists every row of measure/columns.c's table under its file, with its
 * type, unit and meaning, and is as clean.
 * The binary under test is $SLUICE_BIN.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

#include "measure/columns.h"
#include "model/config.h"

#include "util.h"

/* The value `config --defaults` gives section.key, into out. */
static int default_of(const char *ini, const char *section, const char *key, char *out,
                      size_t n)
{
    char sec[64] = "";
    for (const char *l = ini; *l;) {
        const char *nl = strchr(l, '\n');
        size_t len = nl ? (size_t)(nl - l) : strlen(l);
        if (l[0] == '[' && len < sizeof sec + 2) {
            snprintf(sec, sizeof sec, "%.*s", (int)(len - 2), l + 1);
        } else if (l[0] != ';' && !strcmp(sec, section)) {
            size_t kl = strlen(key);
            if (len > kl + 1 && !strncmp(l, key, kl) && l[kl] == ' ' && l[kl + 1] == '=') {
                const char *v = l + kl + 2;
                if (*v == ' ')
                    v++;
                snprintf(out, n, "%.*s", (int)(len - (size_t)(v - l)), v);
                return 1;
            }
        }
        l += len + (nl != NULL);
    }
    return 0;
}

/* The default the man page gives: "Default: \fBVALUE\fR; ..." (VALUE with
 * troff escapes undone) or "Default: none; ..." (""). */
static int man_default(const char *line, char *out, size_t n)
{
    if (!strncmp(line, "Default: none;", 14)) {
        out[0] = 0;
        return 1;
    }
    if (strncmp(line, "Default: \\fB", 12) != 0)
        return 0;
    const char *p = line + 12, *end = strstr(p, "\\fR");
    if (!end)
        return 0;
    size_t o = 0;
    while (p < end && o + 1 < n) {
        if (p[0] == '\\' && p[1] == 'e') {
            out[o++] = '\\';
            p += 2;
        } else if (p[0] == '\\' && p[1] == '&') {
            p += 2;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = 0;
    return 1;
}

Test(manpage, title_names_sluice_ini_section_5)
{
    char *man = util_sluice_output("config --man");
    cr_expect(strncasecmp(man, ".TH sluice.ini 5 ", 17) == 0, "got: %.60s", man);
    cr_expect(strstr(man, "\n.SH NAME\nsluice.ini \\- configuration file of the sluice "
                          "simulator\n"),
              "NAME section");
    const char *sh[] = { ".SH SYNOPSIS\n", ".SH DESCRIPTION\n", ".SH SEE ALSO\n.BR sluice (1)\n" };
    for (size_t i = 0; i < sizeof sh / sizeof *sh; i++)
        cr_expect(strstr(man, sh[i]), "no %s", sh[i]);
    free(man);
}

Test(manpage, every_key_under_its_section_with_the_default_of_config_defaults)
{
    char *man = util_sluice_output("config --man");
    char *ini = util_sluice_output("config --defaults");
    size_t entries = 0;
    for (const char *p = man; (p = strstr(p, "\n.TP\n")) != NULL; p++)
        entries++;
    cr_expect_eq(entries, config_key_count(), "%zu .TP entries for %zu keys", entries,
                 config_key_count());
    const char *section, *name;
    for (size_t i = 0; config_key_at(i, &section, &name) == 0; i++) {
        char heading[80], entry[128];
        snprintf(heading, sizeof heading, "\n.SS [%s]\n", section);
        const char *from = strstr(man, heading);
        cr_assert(from, "no %s heading", heading + 1);
        /* the section ends at the next .SS or .SH */
        const char *ss = strstr(from + 1, "\n.SS "), *shd = strstr(from + 1, "\n.SH ");
        const char *to = ss && (!shd || ss < shd) ? ss : shd;
        cr_assert(to);
        snprintf(entry, sizeof entry, "\n.TP\n.B %s\n", name);
        const char *e = strstr(from, entry);
        cr_expect(e && e < to, "%s.%s: no .TP entry under .SS [%s]", section, name, section);
        if (!e || e >= to)
            continue;
        char want[512], got[512];
        cr_assert(default_of(ini, section, name, want, sizeof want),
                  "%s.%s not in config --defaults", section, name);
        cr_expect(man_default(e + strlen(entry), got, sizeof got), "%s.%s: no Default: line",
                  section, name);
        cr_expect_str_eq(got, want, "%s.%s: man page default %s, config --defaults %s", section,
                         name, got, want);
    }
    free(ini);
    free(man);
}

/* No line of man starts a request other than the known macros, and no
 * escape but \e \& \- \fB \fR; at least min_lines lines. */
static void check_clean_troff(char *man, size_t min_lines)
{
    static const char *const known[] = { "TH", "SH", "SS", "TP", "PP", "B", "I", "BI", "IB",
                                         "BR", "br", "nf", "fi", NULL };
    size_t lineno = 0;
    for (char *l = man; *l;) {
        char *nl = strchr(l, '\n');
        cr_assert(nl, "the page ends in a newline");
        *nl = 0;
        lineno++;
        if (l[0] == '.' || l[0] == '\'') {
            size_t len = strcspn(l + 1, " ");
            int ok = 0;
            for (size_t k = 0; known[k] && !ok; k++)
                ok = l[0] == '.' && strlen(known[k]) == len && !strncmp(l + 1, known[k], len);
            cr_expect(ok, "line %zu starts a request that is not a known macro: %s", lineno, l);
        }
        for (char *b = l; (b = strchr(b, '\\')) != NULL; b += 2) {
            int ok = b[1] == 'e' || b[1] == '&' || b[1] == '-'
                     || (b[1] == 'f' && (b[2] == 'B' || b[2] == 'R'));
            cr_expect(ok, "line %zu: stray escape \\%c: %s", lineno, b[1], l);
            if (!b[1])
                break;
        }
        l = nl + 1;
    }
    cr_expect_gt(lineno, min_lines);
}

Test(manpage, no_unknown_request_and_no_stray_escape)
{
    char *man = util_sluice_output("config --man");
    check_clean_troff(man, config_key_count() * 4);
    free(man);
}

Test(manpage, outputs_page_is_clean_troff)
{
    char *man = util_sluice_output("config --outputs-man");
    check_clean_troff(man, 400);
    free(man);
}

Test(manpage, outputs_page_title_names_sluice_outputs_section_5)
{
    char *man = util_sluice_output("config --outputs-man");
    cr_expect(strncmp(man, ".TH SLUICE-OUTPUTS 5 ", 21) == 0, "got: %.60s", man);
    cr_expect(strstr(man, "\n.SH NAME\nsluice-outputs \\- the result files of the sluice "
                          "simulator\n"), "NAME section");
    cr_expect(strstr(man, "\n.SH SEE ALSO\n.BR sluice (1),\n.BR sluice.ini (5)\n"), "SEE ALSO");
    free(man);
}

/* The troff form of s as columns.c writes it ('-' as \-). */
static void troff_of(const char *s, char *out, size_t n)
{
    size_t o = 0;
    for (; *s && o + 3 < n; s++) {
        if (*s == '-')
            out[o++] = '\\';
        out[o++] = *s;
    }
    out[o] = 0;
}

Test(manpage, outputs_page_has_every_column_under_its_file)
{
    char *man = util_sluice_output("config --outputs-man");
    size_t entries = 0, rows = 0;
    for (const char *p = man; (p = strstr(p, "\n.TP\n")) != NULL; p++)
        entries++;
    const columns_row *r;
    for (size_t i = 0; (r = columns_at(i)) != NULL; i++, rows++) {
        char heading[80], entry[2048], name[128], unit[128], meaning[1024];
        snprintf(heading, sizeof heading, "\n.SS %s\n", r->file);
        const char *from = strstr(man, heading);
        cr_assert(from, "no %s heading", heading + 1);
        const char *ss = strstr(from + 1, "\n.SS "), *shd = strstr(from + 1, "\n.SH ");
        const char *to = ss && (!shd || ss < shd) ? ss : shd;
        cr_assert(to);
        troff_of(r->name, name, sizeof name);
        troff_of(r->unit, unit, sizeof unit);
        troff_of(r->meaning, meaning, sizeof meaning);
        if (r->unit[0])
            snprintf(entry, sizeof entry, "\n.TP\n.B %s\nType: %s; unit: %s.\n.br\n%s.\n", name,
                     r->type, unit, meaning);
        else
            snprintf(entry, sizeof entry, "\n.TP\n.B %s\nType: %s.\n.br\n%s.\n", name, r->type,
                     meaning);
        const char *e = strstr(from, entry);
        cr_expect(e && e < to, "%s %s: no entry under .SS %s", r->file, r->name, r->file);
    }
    cr_expect_eq(entries, rows, "%zu .TP entries for %zu columns", entries, rows);
    free(man);
}
