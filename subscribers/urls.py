from django.urls import path

from subscribers import views

app_name = "subscribers"

urlpatterns = [
    path("", views.signup, name="signup"),
    path("check-your-inbox/", views.check_your_inbox, name="check_your_inbox"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
