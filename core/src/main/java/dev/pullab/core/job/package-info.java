/**
 * From a claimed KernelCI job to a run plan: the PULL_LABS {@link dev.pullab.core.job.JobDefinition}, the lab's
 * {@link dev.pullab.core.job.LabConfig} (pullab_cloud's config.json plus a platform table), the pure
 * {@link dev.pullab.core.job.JobTranslator} and the download policy {@link dev.pullab.core.job.JobDefinitionSource}.
 * No I/O and no AWS types.
 */
package dev.pullab.core.job;
