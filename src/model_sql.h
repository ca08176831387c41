/*
 * model_sql.h
 *		Models as SQL values: decoding with a per-query cache, catalog
 *		lookup by name.
 *
 * Copyright (c) 2026, hgnn developers
 */
#ifndef HGNN_MODEL_SQL_H
#define HGNN_MODEL_SQL_H

#include "postgres.h"

#include "fmgr.h"

#include "model.h"

/*
 * A decoded, prepared model with scratch buffers for scoring one row, kept
 * in fn_extra.  Everything lives in mcxt, a child of fn_mcxt that is
 * replaced when another model arrives.
 */
typedef struct HgnnCachedModel
{
	MemoryContext mcxt;
	HgnnModel	model;
	uint32		format_version;
	float	   *x;				/* n_features */
	hgnn_real  *work;			/* hgnn_predict_work_size(model) */
	double	   *proba;			/* n_classes */
} HgnnCachedModel;

/*
 * Returns the model in bytea argument argno.  The same model in the next
 * row is found by its toast pointer without detoasting, or else by its
 * length and header checksum.
 */
/* Raises the error for a row whose standardized features or outputs are
 * not finite; defined in predict_sql.c. */
extern void hgnn_report_unscorable(void) pg_attribute_noreturn();

extern HgnnCachedModel *hgnn_model_from_bytea(FunctionCallInfo fcinfo,
											  int argno);

/*
 * Returns the deployed version of the model named by text argument argno,
 * from the hgnn_deployments and hgnn_models tables.  The cache is valid at
 * most inside the current statement, so a deployment committed by any
 * session is seen by the next statement.
 */
extern HgnnCachedModel *hgnn_model_from_name(FunctionCallInfo fcinfo,
											 int argno);

#endif							/* HGNN_MODEL_SQL_H */
