/* csv_resume.h — checkpoints of CSV outputs: the file's length when the checkpoint was made,
 * and reopening it there (later lines cut off). Shared by the spike and state CSV writers. */
#ifndef LEINAO_IO_CSV_RESUME_H
#define LEINAO_IO_CSV_RESUME_H

#include <stdio.h>

#include "../engine/run_state.h"

/* Flushes `out` and adds its length as PREFIX/bytes. */
leinao_status lcsv_save(leinao_sim *sim, FILE *out, const char *path, lrs_list *list,
                        const char *prefix);
/* Checks that `path` has at least the recorded length; unless check, opens it for appending
 * at that length (*out). */
leinao_status lcsv_resume(leinao_sim *sim, const char *path, const lrs_list *list,
                          const char *prefix, int check, FILE **out);

#endif
