// Chart.js with only the parts the benchmark's bar charts use registered.
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LogarithmicScale, Tooltip,
} from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LogarithmicScale, Legend, Tooltip);
export { Chart };
