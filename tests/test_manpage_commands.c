/*
 * test_manpage_commands.c: the command reference sluice(1) (sim/sluice.1,
 * written by hand) stays current with the commands: every command that
 * `sluice --help` lists has its own entry under COMMANDS and its own line in
 * the SYNOPSIS, and every option that `sluice COMMAND --help` shows for it is
 * in that synopsis line.  So a new command or option cannot ship without
 * its man page.  The binary under test is $SLUICE_BIN; the page is read
 * from $SLUICE_MAN1 (default sim/sluice.1).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "util.h"

static char *man_page(void)
{
    const char *path = getenv("SLUICE_MAN1");
    size_t len;
    char *s = util_slurp(path && *path ? path : "sim/sluice.1", &len);
    cr_assert(s, "cannot open sim/sluice.1");
    return s;
}

/* The commands of `sluice --help`: the first word of each line indented by
 * exactly two blanks under "commands:", into names (at most max). */
static int commands(const char *help, char names[][32], int max)
{
    const char *p = strstr(help, "commands:\n");
    cr_assert(p, "sluice --help has no commands: list");
    int n = 0;
    for (p = strchr(p, '\n') + 1; *p && *p != '\n'; p = strchr(p, '\n') + 1) {
        if (p[0] == ' ' && p[1] == ' ' && p[2] != ' ' && n < max) {
            size_t len = strcspn(p + 2, " \n");
            cr_assert(len < 32);
            memcpy(names[n], p + 2, len);
            names[n][len] = 0;
            if (n == 0 || strcmp(names[n - 1], names[n]))
                n++;
        }
        if (!strchr(p, '\n'))
            break;
    }
    return n;
}

/* The SYNOPSIS lines of the page for command name: the text from
 * ".B sluice NAME" up to the next ".br" or ".SH". */
static char *synopsis_of(const char *man, const char *name)
{
    char head[64];
    snprintf(head, sizeof head, ".B sluice %s", name);
    const char *syn = strstr(man, ".SH SYNOPSIS");
    const char *end = strstr(man, ".SH DESCRIPTION");
    cr_assert(syn && end);
    for (const char *p = strstr(syn, head); p && p < end; p = strstr(p + 1, head)) {
        char c = p[strlen(head)];
        if (c == '\n' || c == ' ') {
            const char *stop = strstr(p, "\n.br");
            if (!stop || stop > end)
                stop = end;
            size_t len = (size_t)(stop - p);
            char *s = malloc(len + 1);
            cr_assert(s);
            memcpy(s, p, len);
            s[len] = 0;
            return s;
        }
    }
    return NULL;
}

Test(manpage_commands, every_command_has_a_synopsis_and_an_entry)
{
    char *help = util_sluice_output("--help");
    char *man = man_page();
    char names[32][32];
    int n = commands(help, names, 32);
    cr_assert_geq(n, 8, "only %d commands found in sluice --help", n);
    const char *cmds = strstr(man, ".SH COMMANDS");
    const char *opts = strstr(man, ".SH OPTIONS");
    cr_assert(cmds && opts && cmds < opts);
    for (int i = 0; i < n; i++) {
        char *syn = synopsis_of(man, names[i]);
        cr_expect(syn, "sluice.1: no SYNOPSIS line for '%s'", names[i]);
        free(syn);
        char entry[96];
        snprintf(entry, sizeof entry, ".TP\n.B %.31s\n", names[i]);
        const char *e = strstr(cmds, entry);
        cr_expect(e && e < opts, "sluice.1: no entry for '%s' under COMMANDS", names[i]);
    }
    free(man);
    free(help);
}

Test(manpage_commands, every_option_of_a_command_is_in_its_synopsis)
{
    char *help = util_sluice_output("--help");
    char *man = man_page();
    char names[32][32];
    int n = commands(help, names, 32), checked = 0;
    for (int i = 0; i < n; i++) {
        char args[96];
        snprintf(args, sizeof args, "%.31s --help", names[i]);
        char *usage = util_sluice_output(args);
        char *syn = synopsis_of(man, names[i]);
        cr_assert(syn, "sluice.1: no SYNOPSIS line for '%s'", names[i]);
        /* The usage text's first line(s), up to the blank line. */
        char *blank = strstr(usage, "\n\n");
        if (blank)
            *blank = 0;
        for (char *o = strstr(usage, "--"); o; o = strstr(o + 2, "--")) {
            size_t len = strspn(o + 2, "abcdefghijklmnopqrstuvwxyz-");
            if (len == 0 || !strncmp(o + 2, "help", len))
                continue;
            /* troff writes every hyphen of an option as \- */
            char esc[160] = "\\-\\-";
            size_t k = 4;
            for (size_t j = 0; j < len && k + 3 < sizeof esc; j++) {
                if (o[2 + j] == '-')
                    esc[k++] = '\\';
                esc[k++] = o[2 + j];
            }
            esc[k] = 0;
            cr_expect(strstr(syn, esc), "sluice.1: the synopsis of '%s' lacks --%.*s",
                      names[i], (int)len, o + 2);
            checked++;
        }
        free(syn);
        free(usage);
    }
    cr_assert_geq(checked, 15, "only %d options checked", checked);
    free(man);
    free(help);
}
