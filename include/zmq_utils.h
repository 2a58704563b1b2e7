/*  zmq_utils.h is deprecated: everything it used to declare (stopwatch,
    sleep, threads, Z85, CURVE keys, atomic counters) is declared by zmq.h.
    It is kept, as libzmq keeps it, so that old programs including it still
    build.                                                                   */

#ifndef __ZMQ_UTILS_H_INCLUDED__
#define __ZMQ_UTILS_H_INCLUDED__

#include "zmq.h"

#endif
