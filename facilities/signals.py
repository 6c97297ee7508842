"""Keep derived facts in step: a program's schedule facts with its sessions, its copy of its
facility's point and the states it reaches online (OnlineReach) with the program and its
facility, and the directory's version with every change to a listing or a vocabulary."""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from facilities import directory_version
from facilities.models import (
    ANSWER_LINKS,
    Correction,
    Facility,
    Program,
    Session,
    refresh_program_places,
    refresh_questions_answered,
)
from facilities.querysets import batches


@receiver(post_save, sender=Session)
@receiver(post_delete, sender=Session)
def refresh_program_schedule(sender, instance, **kwargs):
    program = Program.objects.filter(pk=instance.program_id).first()
    if program is not None:
        program.refresh_schedule_facts()
        refresh_questions_answered([program.facility_id])


@receiver(post_save, sender=Program)
def refresh_program_place(sender, instance, **kwargs):
    if not getattr(instance, "online_reach_later", False):  # the importer does a batch at once
        refresh_program_places(Program.objects.filter(pk=instance.pk))


@receiver(post_save, sender=Program)
@receiver(post_delete, sender=Program)
def refresh_program_answers(sender, instance, **kwargs):
    # The count of questions answered; the importer and seeding count a batch at once.
    if not getattr(instance, "online_reach_later", False):
        refresh_questions_answered([instance.facility_id])


@receiver(m2m_changed)
def refresh_linked_answers(sender, instance, action, reverse, pk_set, **kwargs):
    if sender not in ANSWER_LINKS or action not in ("post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, Facility):
        refresh_questions_answered([instance.pk])
    elif isinstance(instance, Program):
        refresh_questions_answered([instance.facility_id])
    elif pk_set and ANSWER_LINKS[sender] is Program:  # from a term's side: term.program_set
        refresh_questions_answered(Program.objects.filter(pk__in=pk_set).values("facility"))
    elif pk_set:
        refresh_questions_answered(list(pk_set))


# A term deleted takes its links with it, and no m2m_changed is sent for them: the listings
# that had it are noted before it goes and recounted once it has gone.
TERM_LINKS = [
    (field.related_model, field.name, through, owner)
    for through, owner in ANSWER_LINKS.items()
    for field in through._meta.fields
    if field.is_relation and field.related_model not in (Facility, Program)
]
RECOUNTED_AT_ONCE = 500  # facilities a statement, under any database's limit of parameters


def linked_facilities(term):
    """The ids of the facilities whose questions answered read a link to this term."""
    ids = set()
    for model, name, through, owner in TERM_LINKS:
        if isinstance(term, model):
            column = "facility_id" if owner is Facility else "program__facility_id"
            links = through.objects.filter(**{name: term})
            ids.update(links.values_list(column, flat=True))
    return ids


def note_listings_of_term(sender, instance, **kwargs):
    instance.listings_to_recount = linked_facilities(instance)


def recount_listings_of_term(sender, instance, **kwargs):
    for facility_ids in batches(getattr(instance, "listings_to_recount", ()), RECOUNTED_AT_ONCE):
        refresh_questions_answered(facility_ids)


for term_model in {model for model, *_ in TERM_LINKS}:
    pre_delete.connect(note_listings_of_term, sender=term_model)
    post_delete.connect(recount_listings_of_term, sender=term_model)


@receiver(post_save, sender=Facility)
def refresh_facility_programs_places(sender, instance, created=False, **kwargs):
    # Its programs copy its point, and one listing no states serves its facility's: a move
    # changes where they are found and what they reach.
    if not (created or getattr(instance, "online_reach_later", False)):
        refresh_program_places(instance.programs.all())


def listings_changed(sender, **kwargs):
    directory_version.bump()


# Connected for the app's own models and their links only: a delete receiver for every model
# would keep Django from deleting anything elsewhere (sessions, login records) in one
# statement. Corrections wait for a curator; what changes a listing is the curator's save.
for model in apps.get_app_config("facilities").get_models(include_auto_created=True):
    if model is not Correction:
        post_save.connect(listings_changed, sender=model)
        post_delete.connect(listings_changed, sender=model)
        m2m_changed.connect(listings_changed, sender=model)
