@echo off
rem Clean the merged dataset with the strict rule set (the seed's scripts\clean_dataset.bat).
rem Extra options are passed through, e.g.:  scripts\clean_dataset.bat --input datasets\merged_training_dataset.jsonl
setlocal
chcp 65001 >nul
set PYTHONIOENCODING=utf-8

where legalft >nul 2>nul
if errorlevel 1 (
    echo error: the legalft command is not installed - run: pip install -e .  ^(in the project folder^)
    exit /b 1
)

legalft clean --rules strict %*
set RC=%ERRORLEVEL%
if not "%RC%"=="0" echo legalft clean failed with exit code %RC%
exit /b %RC%
