/* memory_sink.h — spike and state recordings kept in memory (format "memory"), handed out by
 * leinao_get_spikes and leinao_get_state. */
#ifndef LEINAO_ENGINE_MEMORY_SINK_H
#define LEINAO_ENGINE_MEMORY_SINK_H

#include "sim.h"

extern const lsink_ops lsink_memory_ops;
extern const lstate_ops lstate_memory_ops;

#endif
