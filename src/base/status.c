/* status.c — names and messages of status codes, generated from the one list in leinao.h. */
#include "leinao.h"

const char *leinao_strerror(leinao_status status)
{
    switch (status) {
#define TEXT_(name, num, text) \
    case LEINAO_##name:        \
        return text;
        LEINAO_STATUS_LIST(TEXT_)
#undef TEXT_
    }
    return "unknown status";
}

const char *leinao_status_name(leinao_status status)
{
    switch (status) {
#define NAME_(name, num, text) \
    case LEINAO_##name:        \
        return #name;
        LEINAO_STATUS_LIST(NAME_)
#undef NAME_
    }
    return "UNKNOWN";
}
