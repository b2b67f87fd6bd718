"""Pipelines and their ordered stages (several per tenant); owners and admins shape them, everyone reads.

A stage has a probability (0 to 100) and a kind: ``open``, ``won`` or ``lost``. Changing a pipeline's stages
is one replace: stages sent with an id are kept (renamed, reordered, re-weighted), stages without one are
added, stages left out are removed — refused while deals sit in them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.crm.tables import Deal, Pipeline, Stage
from rapport.identity import audit
from rapport.identity.audit import Actor
from rapport.kernel.errors import ConflictError, FieldError, NotFoundError, ValidationFailed

__all__ = ["create_pipeline", "delete_pipeline", "list_pipelines", "update_pipeline"]

KINDS = ("open", "won", "lost")


async def list_pipelines(tenant: TenantContext) -> list[dict[str, Any]]:
    """Pipelines in order, each with its stages in order (two queries)."""
    async with tenant_transaction(tenant):
        pipelines = await Pipeline.select().order_by(Pipeline.position).order_by(Pipeline.id)
        stages = await Stage.select().order_by(Stage.position).order_by(Stage.id)
    by_pipeline: dict[int, list[dict[str, Any]]] = {}
    for stage in stages:
        by_pipeline.setdefault(stage["pipeline"], []).append(
            {key: stage[key] for key in ("id", "name", "position", "probability", "kind")}
        )
    return [{**pipeline, "stages": by_pipeline.get(pipeline["id"], [])} for pipeline in pipelines]


def _check_stages(stages: Sequence[Mapping[str, Any]]) -> None:
    errors = []
    if not 1 <= len(stages) <= 30:
        errors.append(FieldError("stages", "between 1 and 30 stages"))
    names = [str(stage.get("name", "")).strip() for stage in stages]
    for index, stage in enumerate(stages):
        if not names[index] or len(names[index]) > 100:
            errors.append(FieldError(f"stages.{index}.name", "1 to 100 characters"))
        probability = stage.get("probability", 0)
        if not isinstance(probability, int) or not 0 <= probability <= 100:
            errors.append(FieldError(f"stages.{index}.probability", "a whole number from 0 to 100"))
        if stage.get("kind", "open") not in KINDS:
            errors.append(FieldError(f"stages.{index}.kind", "open, won or lost"))
    if len(set(names)) != len(names):
        errors.append(FieldError("stages", "stage names must differ"))
    if stages and not any(stage.get("kind", "open") == "open" for stage in stages):
        errors.append(FieldError("stages", "a pipeline needs at least one open stage"))
    if errors:
        raise ValidationFailed("The pipeline is not valid.", errors=errors)


async def create_pipeline(
    tenant: TenantContext, actor: Actor, name: str, stages: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    _check_stages(stages)
    async with tenant_transaction(tenant):
        if await Pipeline.exists().where(Pipeline.name == name):
            raise ConflictError(
                f"A pipeline {name!r} exists already.", errors=[FieldError("name", "already taken")]
            )
        position = await Pipeline.count()
        pipeline_id = (await Pipeline.insert(Pipeline(name=name, position=position)).returning(Pipeline.id))[
            0
        ]["id"]
        await Stage.insert(
            *(
                Stage(pipeline=pipeline_id, name=stage["name"].strip(), position=index,
                      probability=stage.get("probability", 0), kind=stage.get("kind", "open"))
                for index, stage in enumerate(stages)
            )
        )  # fmt: skip
        await audit.record(
            actor,
            "pipeline.created",
            "pipeline",
            pipeline_id,
            {"name": (None, name), "stages": (None, list(stages))},
        )
    return await _one(tenant, pipeline_id)


async def _one(tenant: TenantContext, pipeline_id: int) -> dict[str, Any]:
    for pipeline in await list_pipelines(tenant):
        if pipeline["id"] == pipeline_id:
            return pipeline
    raise NotFoundError(f"No pipeline {pipeline_id}.")


async def update_pipeline(
    tenant: TenantContext,
    actor: Actor,
    pipeline_id: int,
    name: str | None,
    stages: Sequence[Mapping[str, Any]] | None,
) -> dict[str, Any]:
    before = await _one(tenant, pipeline_id)
    if stages is not None:
        _check_stages(stages)
    async with tenant_transaction(tenant):
        if name is not None and name != before["name"]:
            if await Pipeline.exists().where((Pipeline.name == name) & (Pipeline.id != pipeline_id)):
                raise ConflictError(
                    f"A pipeline {name!r} exists already.", errors=[FieldError("name", "already taken")]
                )
            await Pipeline.update({Pipeline.name: name}).where(Pipeline.id == pipeline_id)
        if stages is not None:
            await _replace_stages(pipeline_id, before["stages"], stages)
        changes = {
            "name": (before["name"], name or before["name"]),
            "stages": (before["stages"], list(stages or before["stages"])),
        }
        await audit.record(actor, "pipeline.updated", "pipeline", pipeline_id, changes)
    return await _one(tenant, pipeline_id)


async def _replace_stages(
    pipeline_id: int, current: Sequence[Mapping[str, Any]], wanted: Sequence[Mapping[str, Any]]
) -> None:
    known = {stage["id"] for stage in current}
    kept = {stage["id"] for stage in wanted if stage.get("id") is not None}
    unknown = sorted(kept - known)
    if unknown:
        raise ValidationFailed(
            "The pipeline is not valid.",
            errors=[FieldError("stages", f"not stages of this pipeline: {unknown}")],
        )
    dropped = sorted(known - kept)
    if dropped:
        in_use = await Deal.count().where(Deal.stage.is_in(dropped) & Deal.deleted_at.is_null())
        if in_use:
            raise ConflictError(
                f"{in_use} deals are in the stages being removed; move them first.", deals=in_use
            )
        await Stage.delete().where(Stage.id.is_in(dropped))
    # Free the names first: the (pipeline, name) constraint holds at every statement.
    await Stage.update({Stage.name: Stage.name + " (renaming)"}).where(Stage.id.is_in(sorted(kept)))
    for index, stage in enumerate(wanted):
        values: dict[str, Any] = {
            "name": stage["name"].strip(),
            "position": index,
            "probability": stage.get("probability", 0),
            "kind": stage.get("kind", "open"),
        }
        if stage.get("id") is None:
            await Stage.insert(Stage(pipeline=pipeline_id, **values))
        else:
            assignments: dict[Any, Any] = {getattr(Stage, name): value for name, value in values.items()}
            await Stage.update(assignments).where(Stage.id == stage["id"])


async def delete_pipeline(tenant: TenantContext, actor: Actor, pipeline_id: int) -> None:
    async with tenant_transaction(tenant):
        row = await Pipeline.select(Pipeline.name).where(Pipeline.id == pipeline_id).first()
        if row is None:
            raise NotFoundError(f"No pipeline {pipeline_id}.")
        deals = await Deal.count().where(Deal.pipeline == pipeline_id)
        if deals:
            raise ConflictError(
                f"The pipeline has {deals} deals (deleted ones included); move them first.", deals=deals
            )
        await Pipeline.delete().where(Pipeline.id == pipeline_id)
        await audit.record(actor, "pipeline.deleted", "pipeline", pipeline_id, {"name": (row["name"], None)})
