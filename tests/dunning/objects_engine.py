"""Objects and URL arguments of the collections pages (engine) for the access matrix
test (``tests/core/test_access_matrix.py`` calls ``objects`` in its world fixture and
merges ``URL_KWARGS``)."""

URL_KWARGS: dict = {
    **{
        f"dunning:{name}": lambda ctx: {"pk": ctx["dunning_plan"].pk}
        for name in ("plan_detail", "plan_edit", "step_create")
    },
    "dunning:step_edit": lambda ctx: {"step": ctx["dunning_step"].pk},
    "dunning:step_delete": lambda ctx: {"pk": ctx["dunning_step"].pk},
    "dunning:step_preview": lambda ctx: {"pk": ctx["dunning_step"].pk},
    "dunning:step_move": lambda ctx: {"pk": ctx["dunning_step"].pk, "direction": "up"},
    "dunning:dunning_run_detail": lambda ctx: {"pk": ctx["dunning_run"].pk},
    "dunning:dunning_run_progress": lambda ctx: {"pk": ctx["dunning_run"].pk},
    "dunning:letter_pdf": lambda ctx: {"pk": ctx["dunning_letter"].pk},
    "dunning:account_settings": lambda ctx: {"pk": ctx["account"].pk},
    "api:dunning-account-detail": lambda ctx: {"pk": ctx["dunning_process"].pk},
}


def objects(account, subscription) -> dict:
    """The objects the URLs of URL_KWARGS need, by ctx key: a plan with a letter step,
    a finished run, an open process of the account and its letter (PDF stored)."""
    from datetime import date

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from dunning.models import DunningActionRecord, DunningProcess, DunningRun
    from dunning.services.engine_plans import plan_save, step_save
    from tests.customers.factories import PDF_BYTES

    plan = plan_save(code="matrix", name="Matrix plan", segments=["mass"], is_default=True)
    step = step_save(
        plan=plan, days_after_due=14, action="letter", name="Letter", subject="Hi", body="Pay."
    )
    run = DunningRun.objects.create(
        run_on=date(2026, 11, 20), started_at=timezone.now(), status="done"
    )
    process = DunningProcess.objects.create(
        billing_account=account, plan=plan, due_on=date(2026, 10, 15), started_on=run.run_on
    )
    letter = DunningActionRecord.objects.create(
        process=process,
        step=step,
        billing_account=account,
        action="letter",
        outcome="done",
        detail="Hi\n\nPay.",
        run=run,
        done_on=run.run_on,
        done_at=timezone.now(),
    )
    letter.document.save("matrix-letter.pdf", ContentFile(PDF_BYTES), save=True)
    return {
        "dunning_plan": plan,
        "dunning_step": step,
        "dunning_run": run,
        "dunning_process": process,
        "dunning_letter": letter,
    }
