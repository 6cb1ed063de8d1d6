/* csv_resume.c — see csv_resume.h. */
#define _POSIX_C_SOURCE 200809L
#include "csv_resume.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

leinao_status lcsv_save(leinao_sim *sim, FILE *out, const char *path, lrs_list *list,
                        const char *prefix)
{
    char name[128];
    off_t at;
    if (fflush(out) != 0 || (at = ftello(out)) < 0)
        return lc_error(&sim->ctx, LEINAO_IO, "%s: cannot write: %s", path, strerror(errno));
    uint64_t bytes = (uint64_t)at;
    snprintf(name, sizeof name, "%s/bytes", prefix);
    return lrs_add(&sim->ctx, list, name, LRS_U64, 1, &bytes, 1);
}

leinao_status lcsv_resume(leinao_sim *sim, const char *path, const lrs_list *list,
                          const char *prefix, int check, FILE **out)
{
    char name[128];
    snprintf(name, sizeof name, "%s/bytes", prefix);
    const lrs_array *a = lrs_find(list, name);
    if (!a || a->type != LRS_U64 || a->n != 1)
        return lc_error(&sim->ctx, LEINAO_INVALID,
                        "checkpoint: the position of %s is missing or damaged", path);
    uint64_t bytes = *(const uint64_t *)a->data;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return lc_error(&sim->ctx, LEINAO_IO, "%s: %s: the run's file is needed to continue it",
                        path, strerror(errno));
    if ((uint64_t)sb.st_size < bytes)
        return lc_error(&sim->ctx, LEINAO_INVALID,
                        "%s: shorter (%llu bytes) than when the checkpoint was written (%llu): not "
                        "the file of this run",
                        path, (unsigned long long)sb.st_size, (unsigned long long)bytes);
    if (check)
        return LEINAO_OK;
    FILE *f = fopen(path, "r+");
    if (!f || ftruncate(fileno(f), (off_t)bytes) != 0 || fseeko(f, 0, SEEK_END) != 0) {
        leinao_status st =
            lc_error(&sim->ctx, LEINAO_IO, "%s: cannot reopen: %s", path, strerror(errno));
        if (f)
            fclose(f);
        return st;
    }
    *out = f;
    return LEINAO_OK;
}
