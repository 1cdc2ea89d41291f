/*
 * stream/exec_stream.c: exec_stream (engine/exec.h), the table of the
 * stream job's functions (stream/stream.h).  Alone in its object file so
 * that a test can link its own exec_stream around those functions
 * (tests/test_stream_horizon.c) without this one being pulled from
 * libsluice.a.
 */
#include "engine/exec.h"
#include "exec/stream/stream.h"

const exec_type exec_stream = {
    "stream",
    stream_job_create,
    stream_job_destroy,
    stream_job_on_arrival,
    stream_job_on_input_end,
    stream_job_on_fault,
    stream_job_backlog,
    stream_job_watermark,
    stream_job_finish,
    stream_job_horizon,
    "stream",
    stream_job_facts,
};
