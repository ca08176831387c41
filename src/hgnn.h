/*
 * hgnn.h
 *		Module-wide settings of the hgnn extension.
 *
 * Copyright (c) 2026, hgnn developers
 */
#ifndef HGNN_H
#define HGNN_H

/* GUC hgnn.blas_threads: OpenBLAS threads per backend */
extern int	hgnn_blas_threads;

/*
 * Applies hgnn.blas_threads to OpenBLAS.  Training and prediction call it
 * first, because the setting may change between statements.
 */
extern void hgnn_apply_blas_threads(void);

#endif							/* HGNN_H */
