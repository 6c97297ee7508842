"""Keep each program's stored schedule facts in step with its sessions."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from facilities.models import Program, Session


@receiver(post_save, sender=Session)
@receiver(post_delete, sender=Session)
def refresh_program_schedule(sender, instance, **kwargs):
    program = Program.objects.filter(pk=instance.program_id).first()
    if program is not None:
        program.refresh_schedule_facts()
