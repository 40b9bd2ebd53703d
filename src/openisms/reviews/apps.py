from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "openisms.reviews"
    label = "reviews"
    verbose_name = "Management reviews"

    def ready(self) -> None:
        from openisms.orgs import pack_parts, reminders, review_inputs
        from openisms.reviews.exports import pack_part
        from openisms.reviews.reminders import review_action_events
        from openisms.reviews.review_input import previous_actions_input

        review_inputs.register("previous_actions", "9.3.2 a)", previous_actions_input)
        reminders.register("review_actions", review_action_events)
        pack_parts.register("reviews", pack_part)
