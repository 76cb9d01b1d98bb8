/* Russian texts of the dmn-js editor: its `translate` service asks for each English text and
   gets it back in Russian (placeholders such as {expressionLanguageLabel} stay as they are).
   Loaded only when the page is in Russian; editor.js passes it to DmnJS as a module. */
(function () {
  "use strict";
  var ru = {
    "When": "Если", "And": "И", "Then": "То", "Hit policy": "Правило выбора",
    "Hit policy:": "Правило выбора:", "Annotation": "Примечание", "Annotations": "Примечания",
    "Input": "Вход", "Output": "Результат", "Add rule": "Добавить правило",
    "Add rule above": "Добавить правило выше", "Add rule below": "Добавить правило ниже",
    "Add input": "Добавить вход", "Add output": "Добавить результат",
    "Add input column left": "Добавить вход слева", "Add input column right": "Добавить вход справа",
    "Add output column left": "Добавить результат слева", "Add output column right": "Добавить результат справа",
    "Add cell description": "Добавить описание ячейки", "Remove cell description": "Удалить описание ячейки",
    "Add predefined values": "Добавить допустимые значения", "Clear predefined values": "Очистить допустимые значения",
    "Add values": "Добавить значения", "Predefined values": "Допустимые значения", "Custom values": "Свои значения",
    "No values": "Нет значений", "Values": "Значения", "Value": "Значение",
    "Copy rule": "Копировать правило", "Cut rule": "Вырезать правило", "Move rule": "Переместить правило",
    "Paste rule above": "Вставить правило выше", "Paste rule below": "Вставить правило ниже",
    "Remove rule": "Удалить правило",
    "Copy input column": "Копировать вход", "Cut input column": "Вырезать вход",
    "Paste input column left": "Вставить вход слева", "Paste input column right": "Вставить вход справа",
    "Remove input column": "Удалить вход",
    "Copy output column": "Копировать результат", "Cut output column": "Вырезать результат",
    "Paste output column left": "Вставить результат слева", "Paste output column right": "Вставить результат справа",
    "Remove output column": "Удалить результат",
    "Edit": "Изменить", "Edit input": "Изменить вход", "Edit output": "Изменить результат",
    "Edit string": "Изменить строку", "Edit number": "Изменить число", "Edit boolean": "Изменить логическое значение",
    "Edit date": "Изменить дату", "Edit time": "Изменить время", "Edit date and time": "Изменить дату и время",
    "Edit duration": "Изменить длительность", "Edit start date": "Изменить начальную дату",
    "Edit end date": "Изменить конечную дату", "Edit start time": "Изменить начальное время",
    "Edit end time": "Изменить конечное время", "Edit start date and time": "Изменить начало",
    "Edit end date and time": "Изменить окончание",
    "Editing not supported for set expression language": "Для этого языка выражений редактор недоступен",
    "Change cell expression language": "Сменить язык выражения ячейки",
    "Expression language": "Язык выражений", "Expression language:": "Язык выражений:",
    "Expression language: {expressionLanguageLabel}": "Язык выражений: {expressionLanguageLabel}",
    "Expression": "Выражение", "Enter expression": "Введите выражение",
    "Input expression": "Входное выражение", "Input expression: ": "Входное выражение: ",
    "Input label": "Название входа", "Input label: ": "Название входа: ",
    "Input type": "Тип входа", "Input values": "Значения входа",
    "Output label": "Название результата", "Output label: ": "Название результата: ",
    "Output name": "Имя результата", "Output name: ": "Имя результата: ",
    "Output type": "Тип результата", "Output values": "Значения результата",
    "Decision name": "Название решения", "Decision name: ": "Название решения: ",
    "Definition ID": "Идентификатор модели", "Definition name": "Название модели",
    "Literal expression": "Выражение", "Literal expression editor": "Редактор выражения",
    "Variable name": "Имя переменной", "Variable name:": "Имя переменной:",
    "Variable type": "Тип переменной", "Variable type:": "Тип переменной:",
    "Type": "Тип", "Test type": "Вид проверки", "Comparison": "Сравнение",
    "Comparison operator": "Оператор сравнения", "Range": "Диапазон",
    "Range start operator": "Оператор начала диапазона", "Range start value": "Начало диапазона",
    "Range end operator": "Оператор конца диапазона", "Range end value": "Конец диапазона",
    "Equals": "Равно", "Less": "Меньше", "Less or equals": "Меньше или равно",
    "Greater": "Больше", "Greater or equals": "Больше или равно",
    "Include": "Включая", "Exclude": "Исключая", "Exactly": "Точно", "Between": "Между",
    "Before": "До", "After": "После", "Match one": "Совпадает с одним", "Match none": "Не совпадает ни с одним",
    "Start value": "Начальное значение", "End value": "Конечное значение", "Set value": "Задать значение",
    "String value": "Строка", "Boolean value": "Логическое значение", "Yes": "Да", "No": "Нет",
    "Date": "Дата", "Date value": "Дата", "Set date": "Задать дату", "Use today": "Сегодня",
    "Start date": "Начальная дата", "End date": "Конечная дата",
    "Time": "Время", "Time value": "Время", "Set time": "Задать время", "Use now": "Сейчас",
    "Start time": "Начальное время", "End time": "Конечное время",
    "Date and time": "Дата и время", "Date and time value": "Дата и время",
    "Set date and time": "Задать дату и время", "Start date and time": "Начало", "End date and time": "Окончание",
    "Duration value": "Длительность", "Set duration": "Задать длительность",
    "Strings must be in double quotes": "Строки пишутся в двойных кавычках",
    "Resize": "Изменить размер", "Search in diagram": "Поиск по диаграмме", "View DRD": "Открыть диаграмму",
    "name": "название", "e.g. { example } ": "например, { example } ", "e.g. { sample }": "например, { sample }",
    "Unique": "Единственное (Unique)", "First": "Первое (First)", "Priority": "По приоритету (Priority)",
    "Any": "Любое (Any)", "Collect": "Все (Collect)", "Collect (Sum)": "Сумма (Collect Sum)",
    "Collect (Min)": "Минимум (Collect Min)", "Collect (Max)": "Максимум (Collect Max)",
    "Collect (Count)": "Количество (Collect Count)", "Rule order": "В порядке правил (Rule order)",
    "Output order": "По приоритету результата (Output order)",
    "No overlap is possible and all rules are disjoint. Only a single rule can be matched":
      "Правила не пересекаются: срабатывает не больше одного",
    "Rules may overlap. The first matching rule will be chosen": "Правила могут пересекаться: берётся первое подходящее",
    "Rules may overlap. The one with the highest priority will be chosen":
      "Правила могут пересекаться: берётся подходящее с наивысшим приоритетом",
    "Rules may overlap. Their output have to match": "Правила могут пересекаться, но их результаты должны совпадать",
    "Collects the values of all matching rules": "Собирает результаты всех подходящих правил",
    "Collects the values of all matching rules and sums up to a single value":
      "Складывает результаты всех подходящих правил",
    "Collects the values of all matching rules and uses the lowest value":
      "Берёт наименьший из результатов подходящих правил",
    "Collects the values of all matching rules and uses the highest value":
      "Берёт наибольший из результатов подходящих правил",
    "Collects the values of all matching rules and counts the number of them":
      "Считает, сколько правил подошло",
    "Collects the values of all matching rules in rule order":
      "Собирает результаты подходящих правил в порядке правил",
    "Collects the values of all matching rules in decreasing output priority order":
      "Собирает результаты подходящих правил по убыванию приоритета результата",
    // The diagram (DRD): its palette, context pad and replace menu.
    "Append decision": "Добавить решение", "Append knowledge source": "Добавить источник знаний",
    "Append business knowledge model": "Добавить модель бизнес-знаний",
    "Append input data": "Добавить входные данные", "Add text annotation": "Добавить примечание",
    "Connect to other element": "Соединить с другим элементом", "Change type": "Сменить вид",
    "Delete": "Удалить", "Activate hand tool": "Перемещение холста", "Activate lasso tool": "Выделение рамкой",
    "Create decision": "Создать решение", "Create input data": "Создать входные данные",
    "Create knowledge source": "Создать источник знаний", "Create knowledge model": "Создать модель знаний",
    "Decision table": "Таблица решений", "Literal Expression": "Выражение", "Empty": "Пустое",
    // Boxed expressions (functions).
    "Function kind: {kind}": "Вид функции: {kind}", "Edit function kind": "Изменить вид функции",
    "Edit formal parameters": "Изменить параметры", "Add parameter": "Добавить параметр",
    "Remove parameter": "Удалить параметр", "Element name": "Название элемента",
    "Kind": "Вид", "Name": "Название", "Result": "Результат"
  };
  function translate(template, replacements) {
    var text = ru[template] || template;
    return text.replace(/{([^}]+)}/g, function (_, key) {
      return replacements && key in replacements ? replacements[key] : "{" + key + "}";
    });
  }
  window.gwDmnTranslate = { translate: ["value", translate] };
  window.gwDmnTranslations = ru;
})();
