from django.http import JsonResponse


def index(request):
    return JsonResponse({"framework": "django", "message": "hello from mysite"})
