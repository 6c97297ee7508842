"""Keep derived facts in step: a program's schedule facts with its sessions, the states it
reaches online (OnlineReach) with the program and its facility."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from facilities.models import Facility, Program, Session, refresh_online_reach


@receiver(post_save, sender=Session)
@receiver(post_delete, sender=Session)
def refresh_program_schedule(sender, instance, **kwargs):
    program = Program.objects.filter(pk=instance.program_id).first()
    if program is not None:
        program.refresh_schedule_facts()


@receiver(post_save, sender=Program)
def refresh_program_reach(sender, instance, **kwargs):
    if not getattr(instance, "online_reach_later", False):  # the importer does a batch at once
        refresh_online_reach(Program.objects.filter(pk=instance.pk))


@receiver(post_save, sender=Facility)
def refresh_facility_reach(sender, instance, created=False, **kwargs):
    # A program listing no states serves its facility's: a move changes what it reaches.
    if not (created or getattr(instance, "online_reach_later", False)):
        refresh_online_reach(instance.programs.all())
