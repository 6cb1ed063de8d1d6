/* sonata_csv.c — the small delimited-text tables of SONATA: node and edge types files (bmtk
 * writes them space-separated, the specification allows commas), spike and current-clamp CSVs.
 * Fields may be double-quoted; every row must have the header's number of fields. */
#include "sonata_net.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MAX_TABLE_BYTES (256u << 20)

static int is_blank_line(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r')
            return 0;
    return 1;
}

/* Splits one line in place into fields; returns the count or -1 for an unclosed quote. */
static long split(char *line, char sep, char **fields, long max)
{
    long n = 0;
    char *p = line;
    for (;;) {
        if (sep == ' ')
            while (*p == ' ' || *p == '\t')
                p++;
        if (!*p || *p == '\r')
            break;
        char *start = p, *w = p;
        if (*p == '"') {
            start = w = ++p;
            while (*p && !(*p == '"' && p[1] != '"')) {
                if (*p == '"')
                    p++;
                *w++ = *p++;
            }
            if (*p != '"')
                return -1;
            p++;
        } else {
            while (*p && *p != '\r' && (sep == ' ' ? *p != ' ' && *p != '\t' : *p != sep))
                p++;
            w = p;
        }
        char end = *p;
        *w = 0;
        if (n < max)
            fields[n] = start;
        n++;
        if (!end || end == '\r')
            break;
        p++;
        if (sep != ' ' && !*p) { /* a trailing comma: an empty last field */
            if (n < max)
                fields[n] = p;
            n++;
            break;
        }
    }
    return n;
}

leinao_status lcsv_read(lctx *ctx, const char *path, lcsv **out)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return lc_error(ctx, errno == ENOENT ? LEINAO_NOT_FOUND : LEINAO_IO, "%s: cannot open: %s",
                        path, strerror(errno));
    lcsv *t = lc_calloc(ctx, 1, sizeof *t);
    size_t cap = 4096, n = 0;
    char *text = t ? lc_malloc(ctx, cap + 1) : NULL;
    leinao_status st = text ? LEINAO_OK : LEINAO_NOMEM;
    while (!st) {
        if (n == cap) {
            char *bigger = cap < MAX_TABLE_BYTES ? lc_realloc(ctx, text, 2 * cap + 1) : NULL;
            if (!bigger) {
                st = cap < MAX_TABLE_BYTES ? LEINAO_NOMEM
                                           : lc_error(ctx, LEINAO_INVALID,
                                                      "%s: larger than 256 MiB", path);
                break;
            }
            text = bigger;
            cap *= 2;
        }
        size_t got = fread(text + n, 1, cap - n, f);
        n += got;
        if (!got)
            break;
    }
    fclose(f);
    if (st) {
        lc_free(ctx, text);
        lc_free(ctx, t);
        return st;
    }
    text[n] = 0;
    if (memchr(text, 0, n))
        st = lc_error(ctx, LEINAO_INVALID, "%s: not a text file (it holds a NUL byte)", path);
    t->text = text;
    /* the lines, then the fields of each */
    size_t n_lines = 1;
    for (size_t i = 0; i < n; i++)
        n_lines += text[i] == '\n';
    char **lines = st ? NULL : lc_malloc(ctx, n_lines * sizeof *lines);
    int *line_no = lines ? lc_malloc(ctx, n_lines * sizeof *line_no) : NULL;
    if (!st && !line_no)
        st = LEINAO_NOMEM;
    size_t kept = 0;
    char *p = text;
    for (size_t l = 0; !st && l < n_lines; l++) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = 0;
        if (!is_blank_line(p)) {
            lines[kept] = p;
            line_no[kept++] = (int)l + 1;
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    if (!st && kept == 0)
        st = lc_error(ctx, LEINAO_INVALID, "%s: empty (a header line is needed)", path);
    if (!st) {
        /* bmtk writes spaces; a header with a comma and no space is comma-separated */
        t->sep = strchr(lines[0], ',') && !strchr(lines[0], ' ') ? ',' : ' ';
        char **header = lc_malloc(ctx, 4096 * sizeof *header);
        long cols = header ? split(lines[0], t->sep, header, 4096) : 0;
        if (!header)
            st = LEINAO_NOMEM;
        else if (cols <= 0)
            st = lc_error(ctx, LEINAO_INVALID, "%s:%d: the header has no column names", path,
                          line_no[0]);
        else if (cols > 4096)
            st = lc_error(ctx, LEINAO_INVALID, "%s:%d: more than 4096 columns", path, line_no[0]);
        if (!st) {
            t->n_cols = (size_t)cols;
            t->n_rows = kept - 1;
            t->cells = lc_malloc(ctx, kept * t->n_cols * sizeof *t->cells);
            t->line = lc_malloc(ctx, kept * sizeof *t->line);
            if (!t->cells || !t->line)
                st = LEINAO_NOMEM;
        }
        if (!st) {
            memcpy(t->cells, header, t->n_cols * sizeof *header);
            t->line[0] = line_no[0];
        }
        lc_free(ctx, header);
        for (size_t r = 1; !st && r < kept; r++) {
            long got = split(lines[r], t->sep, t->cells + r * t->n_cols, (long)t->n_cols);
            t->line[r] = line_no[r];
            if (got < 0)
                st = lc_error(ctx, LEINAO_INVALID, "%s:%d: a quoted field is not closed", path,
                              line_no[r]);
            else if ((size_t)got != t->n_cols)
                st = lc_error(ctx, LEINAO_INVALID,
                              "%s:%d: %ld fields, but the header has %zu columns", path,
                              line_no[r], got, t->n_cols);
        }
    }
    lc_free(ctx, lines);
    lc_free(ctx, line_no);
    if (st) {
        lcsv_free(ctx, t);
        return st;
    }
    *out = t; /* row 0 of cells[] is the header */
    return LEINAO_OK;
}

int lcsv_col(const lcsv *t, const char *name)
{
    for (size_t c = 0; c < t->n_cols; c++)
        if (!strcmp(t->cells[c], name))
            return (int)c;
    return -1;
}

const char *lcsv_cell(const lcsv *t, size_t row, int col)
{
    return t->cells[(row + 1) * t->n_cols + (size_t)col];
}

void lcsv_free(lctx *ctx, lcsv *t)
{
    if (!t)
        return;
    lc_free(ctx, t->cells);
    lc_free(ctx, t->line);
    lc_free(ctx, t->text);
    lc_free(ctx, t);
}
