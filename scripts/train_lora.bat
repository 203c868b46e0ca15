@echo off
rem Train the LoRA adapter (the seed's scripts\train_lora.bat).
rem GPU profile: set LEGALFT_GPU_PROFILE (default rtx3070), or pass --gpu-profile NAME, which wins.
rem Every argument is passed through, e.g.:  scripts\train_lora.bat --gpu-profile rtx3090 --epochs 3
setlocal
chcp 65001 >nul
set PYTHONIOENCODING=utf-8

where legalft >nul 2>nul
if errorlevel 1 (
    echo error: the legalft command is not installed - run: pip install -e .  ^(in the project folder^)
    exit /b 1
)

if "%LEGALFT_GPU_PROFILE%"=="" set LEGALFT_GPU_PROFILE=rtx3070

rem A later --gpu-profile in %* overrides this one (the last value of an option wins).
legalft fit --gpu-profile %LEGALFT_GPU_PROFILE% %*
set RC=%ERRORLEVEL%
if not "%RC%"=="0" echo legalft fit failed with exit code %RC%
exit /b %RC%
