/* sonata_nodecol.c — a node column of a SONATA nodes file (the node groups' per-node
 * attributes), as text per node id, for node sets that select by attribute value. */
#include "sonata_h5.h"
#include "h5util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Column `column` of the node groups of population p, as text per node id (NCELL characters
 * each; "" for a node whose group has no such column): numbers as %.17g, strings as they are.
 * *found: whether any group has it. */
leinao_status snet_node_column(sload *S, const snodes *p, const char *column, char **cells,
                               int *found)
{
    *found = 0;
    *cells = NULL;
    leinao_status st = LEINAO_OK;
    hid_t h5 = lh5_open_read(S->ctx, p->file, " (a SONATA nodes file is)", &st);
    if (h5 < 0)
        return st == LEINAO_INVALID ? LEINAO_MODEL_FILE : st;
    char gpath[300];
    snprintf(gpath, sizeof gpath, "/nodes/%s", p->name);
    hid_t g = H5Gopen2(h5, gpath, H5P_DEFAULT);
    size_t n = (size_t)p->n;
    sdset gid, gix, nid;
    gid.set = gix.set = nid.set = -1;
    double *id = NULL, *gi = NULL, *gx = NULL, *num = NULL;
    char **str = NULL;
    char *text = NULL;
    snames groups = {0};
    if (g < 0)
        st = serr(S, LEINAO_MODEL_FILE, "%s: %s is not a group", p->file, gpath);
    if (!st)
        st = slist_group(S, p->file, h5, gpath, &groups);
    if (!st)
        st = sdset_open(S, p->file, g, gpath, "node_group_id", 0, &gid);
    if (!st)
        st = sdset_open(S, p->file, g, gpath, "node_group_index", 0, &gix);
    if (!st)
        st = sdset_open(S, p->file, g, gpath, "node_id", 0, &nid);
    if (!st) {
        id = lc_malloc(S->ctx, n * sizeof *id);
        gi = lc_malloc(S->ctx, n * sizeof *gi);
        gx = lc_malloc(S->ctx, n * sizeof *gx);
        text = lc_calloc(S->ctx, n, NCELL);
        if (!id || !gi || !gx || !text)
            st = LEINAO_NOMEM;
    }
    for (size_t r = 0; !st && r < n; r++) {
        id[r] = (double)r;
        gi[r] = 0;
        gx[r] = (double)r;
    }
    const sdset *sets[3] = {&gid, &gix, &nid};
    double *dst[3] = {gi, gx, id};
    for (int k = 0; !st && k < 3; k++)
        if (sets[k]->set >= 0)
            st = sets[k]->n != n ? serr(S, LEINAO_MODEL_FILE, "%s: %s has %llu rows, not %zu",
                                        p->file, sets[k]->name,
                                        (unsigned long long)sets[k]->n, n)
                                 : sdset_read(S, p->file, sets[k], H5T_NATIVE_DOUBLE, 0, n, dst[k]);
    for (int k = 0; !st && k < groups.n; k++) {
        char *end;
        double gnum = strtod(groups.name[k], &end);
        char sub[400];
        snprintf(sub, sizeof sub, "%s/%s", groups.name[k], column);
        if (*end || H5Lexists(g, groups.name[k], H5P_DEFAULT) <= 0 ||
            H5Lexists(g, sub, H5P_DEFAULT) <= 0)
            continue;
        hid_t d = H5Dopen2(g, sub, H5P_DEFAULT);
        hid_t type = d >= 0 ? H5Dget_type(d) : -1;
        hid_t space = d >= 0 ? H5Dget_space(d) : -1;
        hssize_t rows = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
        H5T_class_t cls = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
        int ok = rows >= 0 && space >= 0 && H5Sget_simple_extent_ndims(space) == 1;
        size_t m = ok ? (size_t)rows : 0;
        if (ok && (cls == H5T_INTEGER || cls == H5T_FLOAT)) {
            num = lc_malloc(S->ctx, (m ? m : 1) * sizeof *num);
            ok = num && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, num) >= 0;
        } else if (ok && cls == H5T_STRING) {
            hid_t mem = H5Tcopy(H5T_C_S1);
            H5Tset_cset(mem, H5Tget_cset(type));
            str = lc_calloc(S->ctx, m ? m : 1, sizeof *str);
            if (H5Tis_variable_str(type) > 0) {
                H5Tset_size(mem, H5T_VARIABLE);
                ok = str && H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, str) >= 0;
                for (size_t r = 0; ok && r < m; r++) { /* own copies, NCELL at most */
                    char *copy = lc_calloc(S->ctx, 1, NCELL);
                    if (copy && str[r])
                        snprintf(copy, NCELL, "%s", str[r]);
                    if (str[r])
                        H5free_memory(str[r]);
                    str[r] = copy;
                    ok = copy != NULL;
                }
            } else {
                size_t len = H5Tget_size(type);
                char *buf = str ? lc_calloc(S->ctx, m ? m : 1, len + 1) : NULL;
                H5Tset_size(mem, len + 1);
                ok = buf && H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0;
                for (size_t r = 0; ok && r < m; r++) {
                    str[r] = lc_calloc(S->ctx, 1, NCELL);
                    ok = str[r] != NULL;
                    if (ok)
                        snprintf(str[r], NCELL, "%s", buf + r * (len + 1));
                }
                lc_free(S->ctx, buf);
            }
            H5Tclose(mem);
        } else {
            ok = 0;
        }
        if (!ok)
            st = serr(S, LEINAO_MODEL_FILE, "%s: %s/%s: cannot read it as a column of numbers or "
                                            "strings",
                      p->file, gpath, sub);
        for (size_t r = 0; !st && r < n; r++) {
            if (gi[r] != gnum)
                continue;
            if (!(gx[r] >= 0 && gx[r] < (double)m && id[r] >= 0 && id[r] < (double)n))
                st = serr(S, LEINAO_MODEL_FILE,
                          "%s: %s/node_group_index[%zu] = %g is past the %zu rows of %s/%s",
                          p->file, gpath, r, gx[r], m, gpath, sub);
            else if (num)
                snprintf(text + (size_t)id[r] * NCELL, NCELL, "%.17g", num[(size_t)gx[r]]);
            else
                snprintf(text + (size_t)id[r] * NCELL, NCELL, "%s", str[(size_t)gx[r]]);
        }
        *found = 1;
        if (str)
            for (size_t r = 0; r < m; r++)
                lc_free(S->ctx, str[r]);
        lc_free(S->ctx, str);
        lc_free(S->ctx, num);
        str = NULL;
        num = NULL;
        if (space >= 0)
            H5Sclose(space);
        if (type >= 0)
            H5Tclose(type);
        if (d >= 0)
            H5Dclose(d);
    }
    sdset_close(&gid);
    sdset_close(&gix);
    sdset_close(&nid);
    lc_free(S->ctx, id);
    lc_free(S->ctx, gi);
    lc_free(S->ctx, gx);
    lc_free(S->ctx, groups.name);
    if (g >= 0)
        H5Gclose(g);
    H5Fclose(h5);
    if (st) {
        lc_free(S->ctx, text);
        return st;
    }
    *cells = text;
    return LEINAO_OK;
}
