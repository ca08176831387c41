/*
 * hgnn.c
 *		Module initialization: allocation hooks and settings.
 *
 * Copyright (c) 2026, hgnn developers
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"

#include "hgnn.h"
#include "linalg.h"

PG_MODULE_MAGIC;

/*
 * One thread by default: every backend trains or predicts on its own, and
 * OpenBLAS threads in many backends at once would oversubscribe the cores.
 */
int			hgnn_blas_threads = 1;

/* the value last passed to OpenBLAS, 0 before the first call */
static int	applied_blas_threads = 0;

void		_PG_init(void);

/*
 * The math allocates through these hooks.  Memory comes from
 * CurrentMemoryContext, so a callsite that switches to a context of its own
 * gets everything freed with that context, also when an ERROR unwinds
 * through the math.  palloc raises an ERROR instead of returning NULL.
 */
static void *
hgnn_palloc(size_t size)
{
	return palloc_extended(size, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
}

static void
hgnn_pfree(void *ptr)
{
	pfree(ptr);
}

static void
hgnn_check_for_interrupts(void)
{
	CHECK_FOR_INTERRUPTS();
}

void
hgnn_apply_blas_threads(void)
{
	if (applied_blas_threads != hgnn_blas_threads)
	{
		openblas_set_num_threads(hgnn_blas_threads);
		applied_blas_threads = hgnn_blas_threads;
	}
}

void
_PG_init(void)
{
	hgnn_alloc_hook = hgnn_palloc;
	hgnn_free_hook = hgnn_pfree;
	hgnn_interrupt_hook = hgnn_check_for_interrupts;

	DefineCustomIntVariable("hgnn.blas_threads",
							"Sets the number of OpenBLAS threads that one backend uses for training and prediction.",
							"Every backend has its own threads, so the total is this times the number of busy backends.",
							&hgnn_blas_threads,
							1, 1, 64,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);
	MarkGUCPrefixReserved("hgnn");
}
