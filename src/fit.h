/*
 * fit.h
 *		State of the hgnn_fit aggregate.
 *
 * The transition function appends each row to the state.  The combine
 * function concatenates the states of parallel workers, and the final
 * function (fit_final.c) trains on the collected rows.
 *
 * Copyright (c) 2026, hgnn developers
 */
#ifndef HGNN_FIT_H
#define HGNN_FIT_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "keys.h"

typedef struct HgnnFitState
{
	MemoryContext mcxt;			/* aggregate context that holds the state */
	HgnnKeyKind label_kind;		/* from the argument types */
	HgnnKeyKind task_kind;
	int			n_features;		/* 0 until the first row with features */

	int64		n_rows;			/* rows stored below */
	int64		capacity;		/* rows allocated */
	float	   *features;		/* n_rows x n_features */
	int64	   *labels;			/* value, or label_dict id for text */
	int64	   *tasks;			/* value, or task_dict id for text */
	HgnnTextDict label_dict;
	HgnnTextDict task_dict;

	/* rows not stored because of a NULL, counted once in null_rows */
	int64		null_rows;
	int64		null_features;
	int64		null_labels;
	int64		null_tasks;

	Jsonb	   *options;		/* NULL when none were given */
} HgnnFitState;

/* Trains on the rows of state and returns the encoded model. */
extern bytea *hgnn_fit_state_train(const HgnnFitState *state);

#endif							/* HGNN_FIT_H */
