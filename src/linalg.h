/*
 * linalg.h
 *		Scalar type, BLAS binding and allocation hooks of the model math.
 *
 * The model math is plain C over flat buffers.  It never calls the
 * PostgreSQL API, so the same files build into the extension and into the
 * test programs under test/.  Building with -DHGNN_DOUBLE switches every
 * buffer to double and every product to cblas_dgemm.  The gradient tests use
 * that build, because central differences are accurate to about 1e-8 there.
 *
 * Copyright (c) 2026, hgnn developers
 */
#ifndef HGNN_LINALG_H
#define HGNN_LINALG_H

#include <stddef.h>
#include <stdint.h>
#include <cblas.h>
#include <float.h>

#ifdef HGNN_DOUBLE
typedef double hgnn_real;
#define hgnn_gemm cblas_dgemm
#define hgnn_gemv cblas_dgemv
#define hgnn_axpy cblas_daxpy
#define hgnn_dot cblas_ddot
#define HGNN_REAL_MIN_NORMAL DBL_MIN
#define hgnn_gesdd_ dgesdd_
#else
typedef float hgnn_real;
#define hgnn_gemm cblas_sgemm
#define hgnn_gemv cblas_sgemv
#define hgnn_axpy cblas_saxpy
#define hgnn_dot cblas_sdot
#define HGNN_REAL_MIN_NORMAL FLT_MIN
#define hgnn_gesdd_ sgesdd_
#endif

/*
 * LAPACK's divide-and-conquer SVD, column-major, through its Fortran entry
 * point.  Debian's libopenblas-dev ships LAPACK inside libopenblas but no
 * lapacke.h and no LAPACKE symbols, so the prototype is declared here.
 * The last argument is the hidden length of the jobz string that gfortran
 * passes by value.
 */
extern void hgnn_gesdd_(const char *jobz, const int *m, const int *n,
						hgnn_real *a, const int *lda, hgnn_real *s,
						hgnn_real *u, const int *ldu, hgnn_real *vt,
						const int *ldvt, hgnn_real *work, const int *lwork,
						int *iwork, int *info, size_t jobz_len);

/*
 * Allocation hooks.  The math allocates only through these.  The test
 * programs leave them at malloc and free.  The extension points them at
 * palloc and pfree in a memory context of its own, so an ERROR raised in
 * the middle of training (a cancel, a timeout) frees everything the math
 * holds.  hgnn_alloc never returns NULL: the malloc version aborts and the
 * palloc version raises an ERROR.  Memory comes back zeroed.
 */
typedef void *(*hgnn_alloc_fn) (size_t size);
typedef void (*hgnn_free_fn) (void *ptr);

extern hgnn_alloc_fn hgnn_alloc_hook;
extern hgnn_free_fn hgnn_free_hook;

/*
 * Interrupt hook, run between the task blocks of a training step so that a
 * step over large blocks can still be cancelled within a fraction of the
 * step.  The extension points it at a function that runs
 * CHECK_FOR_INTERRUPTS(), which may raise an ERROR and unwind through the
 * math.  The test programs leave it NULL.
 */
typedef void (*hgnn_interrupt_fn) (void);

extern hgnn_interrupt_fn hgnn_interrupt_hook;

static inline void
hgnn_check_interrupts(void)
{
	if (hgnn_interrupt_hook != NULL)
		hgnn_interrupt_hook();
}

extern void *hgnn_alloc(size_t size);
extern void *hgnn_alloc_array(size_t count, size_t elem_size);
extern void hgnn_free(void *ptr);

#endif							/* HGNN_LINALG_H */
