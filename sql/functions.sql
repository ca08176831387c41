-- Volatility, parallel safety and strictness of every hgnn function.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS hgnn;
RESET client_min_messages;

-- volatile: v volatile, s stable, i immutable.  parallel: s safe, u unsafe
SELECT p.oid::regprocedure AS function,
       p.prokind AS kind,
       p.provolatile AS volatile,
       p.proparallel AS parallel,
       p.proisstrict AS strict,
       p.prorettype::regtype AS returns
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass
                   AND d.refobjid = e.oid
WHERE e.extname = 'hgnn'
ORDER BY p.proname, pg_get_function_identity_arguments(p.oid);

-- the aggregate's support functions
SELECT a.aggfnoid::regprocedure AS aggregate,
       a.aggtransfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn,
       a.aggfinalfn, a.aggfinalmodify, a.aggtranstype::regtype
FROM pg_aggregate a
WHERE a.aggfnoid::regproc::text LIKE '%hgnn_fit'
ORDER BY 1;

-- the catalog table
\d hgnn_models
