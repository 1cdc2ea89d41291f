/*
 * replay: a plain main() for the fuzz targets, so that `make check` can
 * replay their corpora with the normal compiler (ASan + UBSan) and no
 * libFuzzer.  Every argument is a file or a folder; a folder's regular
 * files are run in name order (deterministic), once each.  A target that
 * finds a problem aborts; otherwise the exit status is 0 and the number
 * of inputs is printed.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t cap = 1 << 16, n = 0, got;
    uint8_t *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *nb = realloc(buf, 2 * cap);
            if (!nb)
                free(buf);
            buf = nb;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        fprintf(stderr, "%s: cannot read\n", path);
        free(buf);
        return -1;
    }
    /* a copy of exactly n bytes, so ASan sees reads past the input */
    uint8_t *in = malloc(n ? n : 1);
    if (!in) {
        free(buf);
        return -1;
    }
    memcpy(in, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(in, n);
    free(in);
    return 0;
}

static int regular_entry(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

int main(int argc, char **argv)
{
    long inputs = 0;
    for (int a = 1; a < argc; a++) {
        struct stat st;
        if (stat(argv[a], &st) != 0) {
            perror(argv[a]);
            return 2;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (run_file(argv[a]) != 0)
                return 2;
            inputs++;
            continue;
        }
        struct dirent **names;
        int n = scandir(argv[a], &names, regular_entry, alphasort);
        if (n < 0) {
            perror(argv[a]);
            return 2;
        }
        for (int i = 0; i < n; i++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[a], names[i]->d_name);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                if (run_file(path) != 0)
                    return 2;
                inputs++;
            }
            free(names[i]);
        }
        free(names);
    }
    printf("%s: %ld inputs, no findings\n", argv[0], inputs);
    return 0;
}
